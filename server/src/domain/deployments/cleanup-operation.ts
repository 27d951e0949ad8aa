import type { Operation } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { NotFoundError } from "../errors.js";
import { startOperation, type OperationContext } from "../operations/run-operation.js";
import { cleanupServiceImages } from "./cleanup-images.js";

export const CLEANUP_HANDLER = "cleanup-images";

/** Starts an on-demand image cleanup for one service. */
export async function startImageCleanup(deps: Deps, viewer: Viewer, serviceId: string): Promise<Operation> {
  const service = await deps.db.service.findUnique({ where: { id: serviceId }, include: { project: true } });
  if (!service) throw new NotFoundError("Service");
  return startOperation(deps, {
    handler: CLEANUP_HANDLER,
    kind: "CLEANUP",
    title: `Clean up images of ${service.project.name}/${service.name}`,
    input: { serviceId },
    actorId: viewer.userId,
    serviceId,
  });
}

export async function runImageCleanup(deps: Deps, ctx: OperationContext, input: { serviceId: string }): Promise<void> {
  await ctx.emit({ step: "cleanup", message: "Listing labelled images on every server of the service" });
  const summary = await cleanupServiceImages(deps, input.serviceId);
  await ctx.emit({
    step: "cleanup",
    message: `Removed ${summary.removed} images, reclaimed ${summary.reclaimedBytes} bytes; kept ${summary.kept.join(", ") || "none"}`,
    progress: 1,
  });
}
