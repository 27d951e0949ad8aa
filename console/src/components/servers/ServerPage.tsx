"use client";

import Link from "next/link";
import { useQuery } from "urql";
import { ServerMetricsDocument } from "@slipway/sdk";
import { EmptyState } from "../EmptyState";
import { Loaded } from "../Loaded";
import { ServerMetricsPanel } from "../metrics/ServerMetricsPanel";
import { useMovingRange } from "../metrics/useMovingRange";
import { PageHeader } from "../PageHeader";
import { RelativeTime } from "../RelativeTime";
import { StatusBadge } from "../StatusBadge";

/** One server: what it is, whether it answers (unreachable since when), and its charts. */
export function ServerPage({ id }: { id: string }) {
  const { range, setRange, variables } = useMovingRange();
  const query = useQuery({ query: ServerMetricsDocument, variables: { id, ...variables }, requestPolicy: "network-only" });
  return (
    <Loaded query={query} what="this server">
      {(data) =>
        data.server ? (
          <>
            <PageHeader
              breadcrumb={<Link href="/infrastructure">Infrastructure</Link>}
              title={data.server.name}
              description={
                <>
                  <StatusBadge status={data.server.status} /> {data.server.publicIpv4 ?? "no address"}
                  {data.server.region ? ` · ${data.server.region}` : null}
                  {data.server.size ? ` · ${data.server.size}` : null}
                  {" · "}
                  {data.server.autoscaled ? "created by autoscaling" : data.server.kind === "SSH_HOST" ? "adopted SSH host" : data.server.managed ? "managed droplet" : "droplet"}
                  {" · "}
                  {data.server.unreachableSince ? (
                    <>
                      unreachable since <RelativeTime iso={data.server.unreachableSince} />
                    </>
                  ) : data.server.lastSeenAt ? (
                    <>
                      last seen <RelativeTime iso={data.server.lastSeenAt} />
                    </>
                  ) : (
                    "never seen"
                  )}
                </>
              }
            />
            <ServerMetricsPanel server={data.server} range={range} onRange={setRange} />
          </>
        ) : (
          <EmptyState title="Server not found">
            <p>It may have been deleted, or the link is wrong.</p>
            <Link href="/infrastructure">Back to infrastructure</Link>
          </EmptyState>
        )
      }
    </Loaded>
  );
}
