// Cancelling is a request, not a kill. A running operation's lease notices it at its next
// renewal (on whichever replica runs it) and aborts the run's signal; the run stops at its next
// safe point and puts back what it changed (run-deployment.ts). An operation no replica has
// claimed yet has changed nothing, so it ends here at once.
import type { Operation, OperationKind } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import { cancelQueuedDeployment } from "../deployments/cancel-queued-deployment.js";
import type { Deps } from "../deps.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { appendEvent, operationTopic, storeEvent, TERMINAL_STATUSES, type OperationMessage } from "./events.js";
import { LeaseLostError } from "./lease.js";

// Kinds whose runs stop safely when their signal aborts. The others (provisioning, adopting,
// snapshots...) never look at it: stopped half-way they would leave a droplet or a server behind.
const CANCELLABLE_KINDS: ReadonlySet<OperationKind> = new Set(["DEPLOY", "ROLLBACK"]);

/** The same, for the deployment a deploy or rollback records (the id deployment lists show). */
export async function requestDeploymentCancel(deps: Deps, viewer: Viewer, deploymentId: string): Promise<Operation> {
  const deployment = await deps.db.deployment.findUnique({ where: { id: deploymentId }, select: { operationId: true } });
  if (!deployment) throw new NotFoundError("Deployment");
  // Recorded a moment before its operation is: nothing has run yet, but there is nothing to stop either.
  if (!deployment.operationId) throw new ConflictError("The deployment is still being recorded; ask again in a moment");
  return requestOperationCancel(deps, viewer, deployment.operationId);
}

/**
 * Asks for an operation to stop. Asking again while it stops (or after it stopped because of it)
 * answers the same; an operation that ended otherwise, or of a kind that cannot stop safely, is
 * refused and left as it was.
 */
export async function requestOperationCancel(deps: Deps, viewer: Viewer, operationId: string): Promise<Operation> {
  const operation = await deps.db.operation.findUnique({ where: { id: operationId } });
  if (!operation) throw new NotFoundError("Operation");
  if (!CANCELLABLE_KINDS.has(operation.kind)) {
    throw new ConflictError(`A ${kindInWords(operation.kind)} operation cannot be stopped safely half-way; it runs to its end`);
  }
  const requested = await deps.db.operation.updateMany({
    where: { id: operationId, status: { in: ["QUEUED", "RUNNING"] }, cancelRequestedAt: null },
    data: { cancelRequestedAt: deps.clock.now() },
  });
  const firstRequest = requested.count === 1;
  const known = firstRequest ? operation : await alreadyRequested(deps, operationId);
  const canceller = await nameOf(deps, viewer);
  // A repeated request ends a queued operation too: the first may not have got to it yet.
  if (known.status === "QUEUED" && (await endQueued(deps, operationId, canceller))) return reload(deps, operationId);
  const current = await reload(deps, operationId);
  if (firstRequest && current.status === "RUNNING" && current.ownerId) {
    await appendEvent(deps, operationId, current.ownerId, { step: "cancel", level: "WARN", message: `Cancel requested by ${canceller}` }).catch((error: unknown) => {
      // It ended meanwhile (or changed hands); the request stands for whoever runs it.
      if (!(error instanceof LeaseLostError)) throw error;
    });
  }
  return current;
}

/** The operation as it is after an earlier cancel request; refused if it ended on its own. */
async function alreadyRequested(deps: Deps, operationId: string): Promise<Operation> {
  const current = await reload(deps, operationId);
  const stoppedByRequest = current.cancelRequestedAt !== null && (!TERMINAL_STATUSES.has(current.status) || current.status === "CANCELLED");
  if (stoppedByRequest) return current;
  throw new ConflictError(`The operation has already ended (${current.status.toLowerCase()}); there is nothing to cancel`);
}

/**
 * Ends a still-queued operation CANCELLED, with its deployment, in one transaction conditional
 * on no replica having claimed it; false when one did (its lease then sees the request).
 */
async function endQueued(deps: Deps, operationId: string, canceller: string): Promise<boolean> {
  const reason = `Cancelled by ${canceller} before it started`;
  const ended = await deps.db.$transaction(async (tx) => {
    const claimed = await tx.operation.updateMany({
      where: { id: operationId, status: "QUEUED" },
      data: { status: "CANCELLED", error: reason, finishedAt: deps.clock.now(), lastSeq: { increment: 1 } },
    });
    if (claimed.count === 0) return null;
    const { lastSeq } = await tx.operation.findUniqueOrThrow({ where: { id: operationId }, select: { lastSeq: true } });
    const event = await storeEvent(tx, operationId, lastSeq, { step: "finished", level: "WARN", message: reason });
    const deployment = await cancelQueuedDeployment(tx, operationId, reason);
    return { event, deployment };
  });
  if (!ended) return false;
  // The uploaded archive was kept for a build that will never run.
  if (ended.deployment?.sourceType === "ARCHIVE") await deps.buildContexts.delete(ended.deployment.id);
  const topic = operationTopic(operationId);
  await deps.bus.publish(topic, { type: "event", event: ended.event } satisfies OperationMessage);
  await deps.bus.publish(topic, { type: "finished", status: "CANCELLED" } satisfies OperationMessage);
  return true;
}

/** Who cancelled, as people know them: the user's name (never the token they used). */
async function nameOf(deps: Deps, viewer: Viewer): Promise<string> {
  const user = await deps.db.user.findUnique({ where: { id: viewer.userId }, select: { name: true } });
  return user?.name ?? "a user who no longer exists";
}

function reload(deps: Deps, operationId: string): Promise<Operation> {
  return deps.db.operation.findUniqueOrThrow({ where: { id: operationId } });
}

function kindInWords(kind: OperationKind): string {
  return kind.toLowerCase().replace(/_/g, " ");
}
