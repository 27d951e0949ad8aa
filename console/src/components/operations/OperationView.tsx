"use client";

import Link from "next/link";
import { useEffect, useMemo } from "react";
import { useQuery } from "urql";
import { ConsoleOperationDocument, ConsoleServerNamesDocument, nextActions, progressOf, type ConsoleOperationQuery } from "@slipway/sdk";
import { isLogLine } from "@/lib/operation-events";
import { EmptyState } from "../EmptyState";
import { Loaded } from "../Loaded";
import { PageHeader } from "../PageHeader";
import { RelativeTime } from "../RelativeTime";
import { StatusBadge } from "../StatusBadge";
import { BuildLog } from "./BuildLog";
import { CancelOperation } from "./CancelOperation";
import { NextActions } from "./NextActions";
import { OperationSteps } from "./OperationSteps";
import { useOperationEvents, type Connection } from "./useOperationEvents";

const DEPLOYMENT_KINDS = new Set(["DEPLOY", "ROLLBACK", "CLEANUP"]);
// The kinds the API lets a person stop half-way (cancelOperation).
const CANCELLABLE_KINDS = new Set(["DEPLOY", "ROLLBACK"]);

const CONNECTION_WORDS: Record<Connection, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Connection lost; reconnecting…",
  ended: "Finished",
};

export function OperationView({ id }: { id: string }) {
  const query = useQuery({ query: ConsoleOperationDocument, variables: { id }, requestPolicy: "network-only" });
  return (
    <Loaded query={query} what="this operation">
      {(data) =>
        data.node?.__typename === "Operation" ? (
          <LiveOperation key={data.node.id} operation={data.node} refetch={() => query[1]({ requestPolicy: "network-only" })} />
        ) : (
          <EmptyState title="Operation not found">
            <p>The link may be wrong, or the operation belongs to another Slipway.</p>
            <Link href="/deployments">Back to deployments</Link>
          </EmptyState>
        )
      }
    </Loaded>
  );
}

type Operation = Extract<NonNullable<ConsoleOperationQuery["node"]>, { __typename: "Operation" }>;

function LiveOperation({ operation, refetch }: { operation: Operation; refetch: () => void }) {
  const { events, connection, problem } = useOperationEvents(operation.id);
  const [servers] = useQuery({ query: ConsoleServerNamesDocument });
  // The one progress reducer the CLI's board uses too.
  const progress = useMemo(() => progressOf(events), [events]);
  const ended = connection === "ended" || progress.outcome !== null;

  // The stream ending means the operation did: read its final status and error.
  useEffect(() => {
    if (ended) refetch();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ended]);

  const log = useMemo(() => events.filter(isLogLine), [events]);
  const names = useMemo(
    () => new Map(servers.data?.servers.edges.map(({ node }) => [node.id, node.name]) ?? []),
    [servers.data],
  );
  const serverName = (serverId: string | null) =>
    serverId === null ? "Control plane" : (names.get(serverId) ?? "A server");

  const status = operation.status;
  const cancelled = status === "CANCELLED" || progress.outcome?.cancelled === true;
  const failed = !cancelled && (status === "FAILED" || status === "INTERRUPTED" || progress.outcome?.ok === false);
  const succeeded = status === "SUCCEEDED" || progress.outcome?.ok === true;
  const actions = ended ? nextActions(operation, progress) : [];
  return (
    <>
      <PageHeader
        breadcrumb={
          DEPLOYMENT_KINDS.has(operation.kind) ? (
            <Link href="/deployments">Deployments</Link>
          ) : (
            <Link href="/infrastructure">Infrastructure</Link>
          )
        }
        title={operation.title}
        description={
          <>
            {operation.kind.toLowerCase().replaceAll("_", " ")} · started <RelativeTime iso={operation.createdAt} /> ·{" "}
            <StatusBadge status={status} />
          </>
        }
      />
      <div className="stack">
        <p className={`connection connection--${connection}`} role="status">
          {CONNECTION_WORDS[connection]}
          {problem && connection === "reconnecting" ? ` (${problem})` : null}
        </p>
        {succeeded ? (
          <div className="notice notice--success" role="status">
            <p className="notice__title">Succeeded</p>
            <p>Every step finished.</p>
          </div>
        ) : failed ? (
          <div className="notice notice--error" role="alert">
            <p className="notice__title">Failed</p>
            <p>{operation.error ?? progress.outcome?.message ?? "The operation did not finish."}</p>
          </div>
        ) : cancelled ? (
          <div className="notice notice--info" role="status">
            <p className="notice__title">Cancelled</p>
            <p>{operation.error ?? progress.outcome?.message ?? "It was stopped before it finished."}</p>
          </div>
        ) : progress.routed ? (
          <p className="notice notice--info" role="status">
            Traffic has moved to the new release; the old one is draining.
          </p>
        ) : null}
        {!ended && CANCELLABLE_KINDS.has(operation.kind) ? <CancelOperation operation={operation} /> : null}
        <NextActions actions={actions} serverName={serverName} />
        <section aria-labelledby="steps-heading">
          <h2 id="steps-heading" className="section-title">
            Steps
          </h2>
          <OperationSteps lanes={progress.lanes} serverName={serverName} />
        </section>
        <section aria-labelledby="log-heading">
          <h2 id="log-heading" className="section-title">
            Log
          </h2>
          <BuildLog lines={log} finished={succeeded || failed || cancelled} />
        </section>
      </div>
    </>
  );
}
