import type { Prisma } from "../../generated/prisma/client.js";
import { releaseDeploySlot } from "./deploy-claim.js";

/**
 * The deployment of an operation cancelled before any replica started it: nothing was built or
 * switched, so it ends CANCELLED, its targets say they never started, and the service's deploy
 * slot is free again. Returns the deployment's id and source type (an uploaded archive is
 * then deleted), or null for an operation that records no deployment.
 */
export async function cancelQueuedDeployment(
  tx: Prisma.TransactionClient,
  operationId: string,
  reason: string,
): Promise<{ id: string; sourceType: string } | null> {
  const deployment = await tx.deployment.findUnique({ where: { operationId }, select: { id: true, serviceId: true, sourceType: true } });
  if (!deployment) return null;
  await tx.deploymentTarget.updateMany({ where: { deploymentId: deployment.id, state: "PENDING" }, data: { state: "FAILED", error: `not started: ${reason}` } });
  await tx.deployment.update({ where: { id: deployment.id }, data: { status: "CANCELLED", finishedAt: new Date(), error: reason } });
  await releaseDeploySlot(tx, deployment.serviceId, deployment.id);
  return deployment;
}
