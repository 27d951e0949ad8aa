// One deployment of a service at a time, enforced by the database: a deploy or rollback claims
// the service's slot (Service.activeDeploymentId, unique) in the transaction that records it, on
// the condition that the slot is free; whichever transaction comes second finds it taken. The
// slot is given back when the deployment ends, whatever the way (succeeded, failed, cancelled,
// interrupted); a slot still held by a deployment or operation that has ended counts as free, so
// no path that forgets to give it back can block a service for good. Deleting a service that ran
// claims it the same way (Service.removalOperationId): no deploy while it is removed, and no
// removal while a deploy runs.
import type { DeploymentStatus, OperationStatus, Prisma } from "../../generated/prisma/client.js";
import { ConflictError } from "../errors.js";

export const ACTIVE_DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = ["QUEUED", "BUILDING", "DEPLOYING"];
const ENDED_DEPLOYMENT: DeploymentStatus[] = ["SUCCEEDED", "FAILED", "CANCELLED", "INTERRUPTED"];
const ENDED_OPERATION: OperationStatus[] = ["SUCCEEDED", "FAILED", "CANCELLED", "INTERRUPTED"];

type Tx = Prisma.TransactionClient;

export function isEndedStatus(status: DeploymentStatus | undefined): boolean {
  return status !== undefined && ENDED_DEPLOYMENT.includes(status);
}

const NO_DEPLOYMENT_RUNS: Prisma.ServiceWhereInput = {
  OR: [
    { activeDeploymentId: null },
    { activeDeployment: { is: { status: { in: ENDED_DEPLOYMENT } } } },
    { activeDeployment: { is: { operation: { is: { status: { in: ENDED_OPERATION } } } } } },
  ],
};

/** Services no deletion is removing (autoscaling leaves those alone too). */
export const NOT_BEING_REMOVED: Prisma.ServiceWhereInput = {
  OR: [{ removalOperationId: null }, { removalOperation: { is: { status: { in: ENDED_OPERATION } } } }],
};

/**
 * Locks the service's row for the rest of the transaction; the first thing a claiming transaction
 * does. On PostgreSQL a row that refers to the service (the deployment or operation being
 * recorded) takes a key-share lock on it, and a claim, which updates a unique column, then needs
 * an exclusive lock: two claims made at once would each hold the first and wait for the other's
 * (a deadlock, one aborted after a second). Locked first, they queue and the second finds the slot
 * taken. (SQLite has one writer at a time anyway.)
 */
export async function holdService(tx: Tx, serviceId: string): Promise<void> {
  await tx.service.updateMany({ where: { id: serviceId }, data: { updatedAt: new Date() } });
}

/** Takes the service's deploy slot for a just-recorded deployment, or throws a ConflictError naming the holder. */
export async function claimDeploySlot(tx: Tx, serviceId: string, deploymentId: string): Promise<void> {
  const claimed = await tx.service.updateMany({
    where: { id: serviceId, AND: [NO_DEPLOYMENT_RUNS, NOT_BEING_REMOVED] },
    data: { activeDeploymentId: deploymentId },
  });
  if (claimed.count === 1) return;
  throw await slotConflict(tx, serviceId);
}

/** Marks the service as being removed by a just-recorded operation, or throws a ConflictError naming what holds it. */
export async function claimServiceRemoval(tx: Tx, serviceId: string, operationId: string): Promise<void> {
  const claimed = await tx.service.updateMany({
    where: { id: serviceId, AND: [NO_DEPLOYMENT_RUNS, NOT_BEING_REMOVED] },
    data: { removalOperationId: operationId },
  });
  if (claimed.count === 1) return;
  throw await slotConflict(tx, serviceId);
}

async function slotConflict(tx: Tx, serviceId: string): Promise<ConflictError> {
  const holder = await tx.service.findUnique({
    where: { id: serviceId },
    select: {
      activeDeployment: { select: { id: true, status: true, imageTag: true } },
      removalOperation: { select: { id: true, status: true } },
    },
  });
  if (!holder) return new ConflictError("The service is gone: it was deleted meanwhile");
  const removal = holder.removalOperation;
  if (removal && !ENDED_OPERATION.includes(removal.status)) return removalConflict(removal.id);
  return runningConflict(holder.activeDeployment ?? null);
}

export function removalConflict(operationId: string): ConflictError {
  return new ConflictError(`The service is being deleted (operation ${operationId})`);
}

/** Gives the slot back when the deployment holding it ends; does nothing if another holds it. */
export async function releaseDeploySlot(tx: Tx, serviceId: string, deploymentId: string): Promise<void> {
  await tx.service.updateMany({ where: { id: serviceId, activeDeploymentId: deploymentId }, data: { activeDeploymentId: null } });
}

export function runningConflict(running: { id: string; status: DeploymentStatus; imageTag: string } | null): ConflictError {
  return new ConflictError(
    running
      ? `A deployment of this service is already in progress: ${running.id} (${running.imageTag}, ${running.status.toLowerCase()}); wait for it to end`
      : "A deployment of this service is already in progress",
  );
}
