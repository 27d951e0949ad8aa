import type { AuditLogQuery } from "@slipway/sdk";
import { RelativeTime } from "../RelativeTime";

type Entry = AuditLogQuery["auditLog"]["edges"][number]["node"];

export function AuditTable({ entries }: { entries: Entry[] }) {
  if (entries.length === 0) return <p className="empty-note">No entries match these filters.</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Audit log</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Outcome</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td>
                <RelativeTime iso={entry.createdAt} />
              </td>
              <td>{entry.actor ? entry.actor.email : <span className="muted">anonymous</span>}</td>
              <td>
                <code>{entry.action}</code>
                {entry.targetType ? <span className="muted"> · {entry.targetType}</span> : null}
              </td>
              <td>
                <span className={`status ${entry.outcome === "ok" ? "status--good" : "status--bad"}`}>{entry.outcome === "ok" ? "ok" : entry.outcome}</span>
              </td>
              <td>
                <code className="audit-details">{describeDetails(entry.details)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The recorded arguments (secrets already removed by the server), on one line. */
function describeDetails(details: unknown): string {
  if (details === null || details === undefined) return "";
  const text = JSON.stringify(details);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}
