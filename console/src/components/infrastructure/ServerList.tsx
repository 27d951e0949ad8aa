"use client";

import { useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { UpgradeAgentDocument, type ServerFieldsFragment } from "@slipway/sdk";
import Link from "next/link";
import { operationPath, serverAnchor, serverPath } from "@/lib/paths";
import { EmptyState } from "../EmptyState";
import { FormError } from "../FormError";
import { RelativeTime } from "../RelativeTime";
import { StatusBadge } from "../StatusBadge";
import { useAction } from "../useAction";

export function ServerList({ servers, extraActions }: {
  servers: ServerFieldsFragment[];
  extraActions?: (server: ServerFieldsFragment) => ReactNode;
}) {
  if (servers.length === 0) {
    return (
      <EmptyState title="No servers yet">
        <p>Adopt a server you already have over SSH, below.</p>
      </EmptyState>
    );
  }
  return (
    <ul className="rows" aria-label="Servers">
      {servers.map((server) => (
        <ServerRow key={server.id} server={server} extraActions={extraActions} />
      ))}
    </ul>
  );
}

function ServerRow({ server, extraActions }: { server: ServerFieldsFragment; extraActions?: (server: ServerFieldsFragment) => ReactNode }) {
  const router = useRouter();
  const upgrade = useAction(UpgradeAgentDocument, (data) => data.upgradeAgent);

  async function onUpgrade() {
    const operation = await upgrade.run({ id: server.id });
    if (operation) router.push(operationPath(operation.id));
  }

  return (
    <li className="row" id={serverAnchor(server.id)}>
      <div className="row__main">
        <p className="row__title">
          <Link href={serverPath(server.id)}>{server.name}</Link> <StatusBadge status={server.status} />{" "}
          <span className="badge badge--quiet">{server.managed ? "managed droplet" : server.kind === "DROPLET" ? "droplet" : "SSH host"}</span>
        </p>
        <dl className="facts facts--inline">
          <div>
            <dt>Address</dt>
            <dd>{server.publicIpv4 ? <code>{server.publicIpv4}</code> : "none yet"}</dd>
          </div>
          <div>
            <dt>Region</dt>
            <dd>{server.region ?? "—"}</dd>
          </div>
          <div>
            <dt>Size</dt>
            <dd>{server.size ?? "—"}</dd>
          </div>
          <div>
            <dt>Agent</dt>
            <dd>
              {server.agentVersion ?? "not installed"}
              {server.agentOutdated ? (
                <span className="status status--warn" title={`Expected ${server.expectedAgentVersion}`}>
                  Outdated (expected {server.expectedAgentVersion})
                </span>
              ) : null}
            </dd>
          </div>
          <div>
            <dt>Last seen</dt>
            <dd>{server.lastSeenAt ? <RelativeTime iso={server.lastSeenAt} /> : "never"}</dd>
          </div>
          {server.unreachableSince ? (
            <div>
              <dt>Unreachable since</dt>
              <dd>
                <RelativeTime iso={server.unreachableSince} />
              </dd>
            </div>
          ) : null}
        </dl>
        {server.statusReason ? <p className="row__meta">{server.statusReason}</p> : null}
        <FormError message={upgrade.message} />
      </div>
      <div className="row__actions">
        {server.agentOutdated ? (
          <button type="button" className="button button--secondary" disabled={upgrade.fetching} onClick={onUpgrade}>
            {upgrade.fetching ? "Starting…" : "Upgrade agent"}
            <span className="visually-hidden"> on {server.name}</span>
          </button>
        ) : null}
        {extraActions?.(server)}
      </div>
    </li>
  );
}
