import { releaseStateLabel, type ProgressLane, type StepStatus } from "@slipway/sdk";

const STATUS_WORDS: Record<StepStatus, string> = { running: "in progress", done: "done", failed: "failed", warning: "warning" };
const STATUS_TONE: Record<StepStatus, string> = { running: "busy", done: "good", failed: "bad", warning: "unknown" };

/** Steps per server, in words, each with its latest message and a progress bar. */
export function OperationSteps({ lanes, serverName }: { lanes: readonly ProgressLane[]; serverName: (id: string | null) => string }) {
  if (lanes.length === 0) return <p className="muted">No steps yet.</p>;
  return (
    <div className="lanes">
      {lanes.map((lane) => {
        const name = serverName(lane.serverId);
        return (
          <section key={lane.serverId ?? "control-plane"} className="panel lane" aria-label={`Steps on ${name}`}>
            <h3 className="lane__title">{name}</h3>
            <ol className="steps">
              {lane.steps.map((row) => {
                // Only a running step without a reported fraction shows an indeterminate bar.
                const value = row.status === "running" ? (row.progress ?? undefined) : 1;
                return (
                  <li key={row.step} className={`step step--${row.status}`} data-step={row.step} data-status={row.status}>
                    <div className="step__head">
                      <span className="step__name">{row.label}</span>
                      {row.releaseState ? <span className="badge badge--quiet">{releaseStateLabel(row.releaseState)}</span> : null}
                      <span className={`status status--${STATUS_TONE[row.status]}`}>{STATUS_WORDS[row.status]}</span>
                    </div>
                    <p className="step__message">{row.message}</p>
                    <progress className="step__bar" max={1} value={value} aria-label={`${row.label} on ${name}`} />
                  </li>
                );
              })}
            </ol>
          </section>
        );
      })}
    </div>
  );
}
