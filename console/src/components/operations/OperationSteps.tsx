import type { Lane, StepState } from "@/lib/operation-events";

const STATE_WORDS: Record<StepState, string> = { running: "in progress", done: "done", failed: "failed", warning: "warning" };
const STATE_TONE: Record<StepState, string> = { running: "busy", done: "good", failed: "bad", warning: "unknown" };

/** Steps per server, each with its latest message and a progress bar. */
export function OperationSteps({ lanes, serverName }: { lanes: Lane[]; serverName: (id: string | null) => string }) {
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
                const value = row.state === "running" ? (row.progress ?? undefined) : 1;
                return (
                  <li key={row.step} className={`step step--${row.state}`} data-step={row.step}>
                    <div className="step__head">
                      <span className="step__name">{row.step}</span>
                      <span className={`status status--${STATE_TONE[row.state]}`}>{STATE_WORDS[row.state]}</span>
                    </div>
                    <p className="step__message">{row.message}</p>
                    <progress
                      className="step__bar"
                      max={1}
                      value={value}
                      aria-label={`${row.step} on ${name}`}
                    />
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
