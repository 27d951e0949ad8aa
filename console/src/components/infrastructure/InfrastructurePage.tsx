"use client";

import { useMemo } from "react";
import { useQuery } from "urql";
import { ServersDocument } from "@slipway/sdk";
import { RequiresCredential } from "../credentials/RequiresCredential";
import { Loaded } from "../Loaded";
import { AdoptServerForm } from "./AdoptServerForm";
import { DeleteServerAction } from "./DeleteServerAction";
import { ProvisionForm } from "./ProvisionForm";
import { ServerList } from "./ServerList";
import { SnapshotsPanel } from "./SnapshotsPanel";

export function InfrastructurePage() {
  const context = useMemo(() => ({ additionalTypenames: ["Server"] }), []);
  const servers = useQuery({ query: ServersDocument, variables: { first: 100 }, context });
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="servers-heading">
        <h2 id="servers-heading" className="panel__title">
          Servers
        </h2>
        <Loaded query={servers} what="servers">
          {(data) => (
            <>
              <p className="list-summary">{data.servers.totalCount === 1 ? "1 server" : `${data.servers.totalCount} servers`}</p>
              <ServerList
                servers={data.servers.edges.map((edge) => edge.node)}
                extraActions={(server) => <DeleteServerAction server={server} />}
              />
            </>
          )}
        </Loaded>
      </section>
      <section className="panel" aria-labelledby="provision-heading">
        <h2 id="provision-heading" className="panel__title">
          Provision servers
        </h2>
        <p className="panel__description">New DigitalOcean droplets from a snapshot, tagged as managed by Slipway.</p>
        <RequiresCredential provider="DIGITALOCEAN" task="Provisioning servers">
          <ProvisionForm />
        </RequiresCredential>
      </section>
      <section className="panel" aria-labelledby="snapshots-heading">
        <h2 id="snapshots-heading" className="panel__title">
          Snapshots
        </h2>
        <RequiresCredential provider="DIGITALOCEAN" task="Making a snapshot">
          <SnapshotsPanel />
        </RequiresCredential>
      </section>
      <section className="panel" aria-labelledby="adopt-heading">
        <h2 id="adopt-heading" className="panel__title">
          Adopt an SSH host
        </h2>
        <p className="panel__description">Any Linux server you can reach over SSH. Slipway installs its agent there.</p>
        <AdoptServerForm />
      </section>
    </div>
  );
}
