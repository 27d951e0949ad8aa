"use client";

import Link from "next/link";
import { useMemo } from "react";
import { useQuery } from "urql";
import { DeploymentsDocument, type DeploymentFieldsFragment } from "@slipway/sdk";
import { isLogLine } from "@/lib/operation-events";
import { operationPath } from "@/lib/paths";
import { Loaded } from "../Loaded";
import { BuildLog } from "../operations/BuildLog";
import { useOperationEvents } from "../operations/useOperationEvents";
import { StatusBadge } from "../StatusBadge";
import { ServiceShell, type ServiceAddress } from "./ServiceShell";

/** The log of the service's latest deployment: build and release output, following live. */
export function ServiceLogsTab({ service: address }: { service: ServiceAddress }) {
  return <ServiceShell service={address} tab="logs">{(service) => <LatestDeploymentLog serviceId={service.id} />}</ServiceShell>;
}

function LatestDeploymentLog({ serviceId }: { serviceId: string }) {
  const context = useMemo(() => ({ additionalTypenames: ["Deployment"] }), []);
  const latest = useQuery({ query: DeploymentsDocument, variables: { serviceId, first: 1 }, context, requestPolicy: "cache-and-network" });
  return (
    <Loaded query={latest} what="the latest deployment">
      {(data) => {
        const deployment = data.deployments.edges[0]?.node;
        if (!deployment?.operation) return <p className="muted">No deployments yet: its log shows here once it is deployed.</p>;
        return <FollowedLog key={deployment.operation.id} deployment={deployment} operationId={deployment.operation.id} />;
      }}
    </Loaded>
  );
}

function FollowedLog({ deployment, operationId }: { deployment: DeploymentFieldsFragment; operationId: string }) {
  const { events, connection } = useOperationEvents(operationId);
  const lines = events.filter(isLogLine);
  const ended = connection === "ended";
  return (
    <section className="panel" aria-labelledby="log-heading">
      <div className="panel__head">
        <h2 id="log-heading" className="panel__title">
          Latest deployment <code>{deployment.imageTag.split(":").at(-1)}</code> <StatusBadge status={deployment.status} />
        </h2>
        <span className="muted" role="status">
          {ended ? "Finished" : connection === "live" ? "Following live" : "Connecting…"}
        </span>
      </div>
      <p className="panel__description">
        Build and release output. Every step, per server: <Link href={operationPath(operationId)}>the deployment&apos;s live view</Link>.
      </p>
      <BuildLog lines={lines} finished={ended} />
    </section>
  );
}
