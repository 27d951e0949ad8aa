// The SCALE operation: one decision carried out (scale-out.ts, scale-in.ts). Its first event says
// why; the policy's claim on it is let go when it ends, and by `recover` when the replica running
// it died — after recover has left the service consistent: servers that never joined destroyed,
// a server half-removed finished off, one not yet removed put back to ACTIVE.
import { z } from "zod";
import type { Deps } from "../deps.js";
import { LeaseLostError } from "../operations/lease.js";
import { defineOperation } from "../operations/operation.js";
import type { OperationContext } from "../ports.js";
import { recoverScaleIn, scaleIn } from "./scale-in.js";
import { recoverScaleOut, scaleOut } from "./scale-out.js";

export const ScaleJob = z.object({
  serviceId: z.string().uuid(),
  policyId: z.string().uuid(),
  direction: z.enum(["OUT", "IN"]),
  fromServers: z.number().int().min(0),
  toServers: z.number().int().min(0),
  reason: z.string().max(2000),
  /** Scale in: the server to remove. */
  serverId: z.string().uuid().nullable(),
  decisionId: z.string().uuid(),
});
export type ScaleJob = z.infer<typeof ScaleJob>;

export const scaleServiceOperation = defineOperation({
  name: "scale-service",
  kind: "SCALE",
  input: ScaleJob,
  run: async (deps, ctx, job) => {
    try {
      await ctx.emit({ step: "decision", message: job.reason });
      if (job.direction === "OUT") await scaleOut(deps, ctx, job);
      else await scaleIn(deps, ctx, job);
    } finally {
      await releaseClaim(deps, ctx, job);
    }
  },
  recover: async (deps, ctx, job) => {
    if (job.direction === "OUT") await recoverScaleOut(deps, ctx, job);
    else await recoverScaleIn(deps, ctx, job);
    await releaseClaim(deps, ctx, job);
  },
});

/** Lets the next evaluation scale again; fenced, so a replica that lost the operation leaves it to the one that took over. */
async function releaseClaim(deps: Deps, ctx: OperationContext, job: ScaleJob): Promise<void> {
  try {
    await ctx.fenced((tx) => tx.autoscalePolicy.updateMany({ where: { id: job.policyId, scalingOperationId: ctx.operationId }, data: { scalingOperationId: null } }));
  } catch (error) {
    if (!(error instanceof LeaseLostError)) deps.log.warn({ err: error, operationId: ctx.operationId }, "could not release the scaling claim; the next evaluation does");
  }
}
