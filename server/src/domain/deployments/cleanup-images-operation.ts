import { z } from "zod";
import type { Operation } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { NotFoundError } from "../errors.js";
import { defineOperation } from "../operations/operation.js";
import { startOperation } from "../operations/start-operation.js";
import { cleanupServiceImages } from "./cleanup-images.js";

/** Removes a service's images beyond its retention policy, on every server that runs it. */
export const cleanupImagesOperation = defineOperation({
  name: "cleanup-images",
  kind: "CLEANUP",
  input: z.object({ serviceId: z.string().uuid() }),
  async run(deps, ctx, input) {
    await ctx.emit({ step: "cleanup", message: "Listing labelled images on every server of the service" });
    const summary = await cleanupServiceImages(deps, input.serviceId);
    await ctx.emit({
      step: "cleanup",
      message: `Removed ${summary.removed} images, reclaimed ${summary.reclaimedBytes} bytes; kept ${summary.kept.join(", ") || "none"}`,
      progress: 1,
    });
  },
});

/** Starts an on-demand image cleanup for one service. */
export async function startImageCleanup(deps: Deps, viewer: Viewer, serviceId: string): Promise<Operation> {
  const service = await deps.db.service.findUnique({ where: { id: serviceId }, include: { project: true } });
  if (!service) throw new NotFoundError("Service");
  return startOperation(deps, cleanupImagesOperation, { serviceId }, {
    title: `Clean up images of ${service.project.name}/${service.name}`,
    actorId: viewer.userId,
    serviceId,
  });
}
