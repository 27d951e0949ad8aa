import type { Deps } from "../deps.js";
import { appendEvent } from "./events.js";
import { finishOperation } from "./run-operation.js";

/**
 * At start: an operation still queued or running was owned by a process that died. Say so in its
 * event stream and end it, so nobody waits on it forever.
 */
export async function markInterruptedOperations(deps: Deps): Promise<number> {
  const stranded = await deps.db.operation.findMany({
    where: { status: { in: ["QUEUED", "RUNNING"] } },
    select: { id: true, lastSeq: true },
  });
  for (const operation of stranded) {
    const reason = "The control plane stopped while this operation was running";
    await appendEvent(deps, operation.id, operation.lastSeq + 1, { step: "finished", level: "ERROR", message: `Interrupted: ${reason}` });
    await finishOperation(deps, operation.id, "INTERRUPTED", reason);
  }
  return stranded.length;
}
