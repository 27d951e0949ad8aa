"use client";

import Link from "next/link";
import { operationPath } from "@/lib/paths";
import { RelativeTime } from "../RelativeTime";

interface ScaleEvent {
  at: string;
  action: string;
  currentServers: number;
  desiredServers: number;
  reason: string;
  operation: { id: string; status: string } | null;
}

/** The scaling decisions the charts mark, in words, each with its operation. */
export function ScaleDecisions({ events }: { events: readonly ScaleEvent[] }) {
  if (events.length === 0) return <p className="muted">No scaling in this range.</p>;
  return (
    <ul className="plain-list scale-decisions" aria-label="Scaling decisions">
      {[...events].reverse().map((e) => (
        <li key={`${e.at}-${e.action}`}>
          <span className={`scale-mark scale-mark--${e.action === "SCALE_IN" ? "in" : "out"}`} aria-hidden="true" />
          <strong>
            Scaled {e.action === "SCALE_IN" ? "in" : "out"} {e.currentServers} → {e.desiredServers}
          </strong>{" "}
          <RelativeTime iso={e.at} />: {e.reason}
          {e.operation ? (
            <>
              {" "}
              (<Link href={operationPath(e.operation.id)}>operation, {e.operation.status.toLowerCase()}</Link>)
            </>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
