// The scheduled evaluation (every SLIPWAY_AUTOSCALE_INTERVAL_SECONDS) of every enabled policy.
// Exactly once per slot cluster-wide: each policy's slot is claimed by one conditional write
// (`evaluatedAt`). Every evaluation is recorded as a decision; one that acts claims the policy's
// `scalingOperationId` (another conditional write: at most one scaling operation per service at a
// time) and starts a SCALE operation under that id.
import { randomUUID } from "node:crypto";
import type { AutoscaleDecision, AutoscalePolicy, Prisma } from "../../generated/prisma/client.js";
import { NOT_BEING_REMOVED } from "../deployments/deploy-claim.js";
import type { Deps } from "../deps.js";
import { slotStart } from "../metrics/collect-metrics.js";
import { startOperation } from "../operations/start-operation.js";
import { decideScale, type Decision } from "./decide-scale.js";
import { observeService } from "./observe-service.js";
import { plural } from "./recommend-servers.js";
import { scaleServiceOperation } from "./scale-service-operation.js";

/** A claim whose operation never got recorded (the replica died in between) is let go after this. */
const ORPHAN_CLAIM_MS = 60_000;

export async function evaluateAutoscaling(deps: Deps): Promise<{ evaluated: number; started: number }> {
  const slot = slotStart(deps.clock.now(), deps.config.autoscale.intervalMs);
  // A service being deleted is not scaled: its servers are being emptied.
  const policies = await deps.db.autoscalePolicy.findMany({ where: { enabled: true, service: NOT_BEING_REMOVED }, select: { id: true } });
  let evaluated = 0;
  let started = 0;
  for (const { id } of policies) {
    try {
      const decision = await evaluatePolicy(deps, id, slot);
      if (decision) evaluated += 1;
      if (decision?.operationId) started += 1;
    } catch (error) {
      deps.log.error({ err: error, policyId: id }, "could not evaluate an autoscaling policy");
    }
  }
  return { evaluated, started };
}

/** Evaluates one policy in one slot; null when the slot was already taken (or the policy is off). */
export async function evaluatePolicy(deps: Deps, policyId: string, slot: Date): Promise<AutoscaleDecision | null> {
  const { db } = deps;
  const claimed = await db.autoscalePolicy.updateMany({
    where: { id: policyId, enabled: true, OR: [{ evaluatedAt: null }, { evaluatedAt: { lt: slot } }] },
    data: { evaluatedAt: slot },
  });
  if (claimed.count !== 1) return null;
  const policy = await db.autoscalePolicy.findUniqueOrThrow({ where: { id: policyId }, include: { service: { include: { project: true } } } });
  const now = deps.clock.now();
  const scalingOperationId = await runningScaleOperation(deps, policy);
  const observation = await observeService(deps, policy);
  const windowHighest = (
    await db.autoscaleDecision.aggregate({
      where: { serviceId: policy.serviceId, at: { gte: new Date(now.getTime() - policy.scaleInWindowSeconds * 1000) } },
      _max: { recommendedServers: true },
    })
  )._max.recommendedServers;
  const decision = decideScale({ policy, servers: observation.servers, now, windowHighest, deploymentRunning: observation.deploymentRunning, scalingOperationId, hasRelease: observation.hasRelease });
  if (decision.action === "NONE") return record(deps, policy, decision, null);

  // At most one scaling operation per service: the claim is one conditional write.
  const operationId = randomUUID();
  const taken = await db.autoscalePolicy.updateMany({
    where: { id: policy.id, scalingOperationId: null },
    data: { scalingOperationId: operationId, ...(decision.action === "SCALE_OUT" ? { lastScaleOutAt: now } : { lastScaleInAt: now }) },
  });
  if (taken.count !== 1) return record(deps, policy, { ...decision, action: "NONE", desired: decision.current, reason: `${decision.reason} (another scaling operation started first)` }, null);
  const row = await record(deps, policy, decision, operationId);
  const service = `${policy.service.project.name}/${policy.service.name}`;
  try {
    await startOperation(
      deps,
      scaleServiceOperation,
      {
        serviceId: policy.serviceId,
        policyId: policy.id,
        direction: decision.action === "SCALE_OUT" ? "OUT" : "IN",
        fromServers: decision.current,
        toServers: decision.desired,
        reason: decision.reason,
        serverId: decision.removeServerId,
        decisionId: row.id,
      },
      {
        id: operationId,
        title: `Scale ${service} ${decision.action === "SCALE_OUT" ? "out" : "in"}: ${decision.current} → ${plural(decision.desired, "server")}`,
        serviceId: policy.serviceId,
      },
    );
  } catch (error) {
    await db.autoscalePolicy.updateMany({ where: { id: policy.id, scalingOperationId: operationId }, data: { scalingOperationId: null } });
    throw error;
  }
  return row;
}

/**
 * The policy's scaling operation if it is still queued or running. A claim whose operation has
 * ended (or was never recorded, after a while) is let go here, so a lost release never blocks scaling.
 */
async function runningScaleOperation(deps: Deps, policy: AutoscalePolicy): Promise<string | null> {
  const id = policy.scalingOperationId;
  if (!id) return null;
  const operation = await deps.db.operation.findUnique({ where: { id }, select: { status: true } });
  if (operation && (operation.status === "QUEUED" || operation.status === "RUNNING")) return id;
  const claimedAt = Math.max(policy.lastScaleOutAt?.getTime() ?? 0, policy.lastScaleInAt?.getTime() ?? 0);
  if (!operation && deps.clock.now().getTime() - claimedAt < ORPHAN_CLAIM_MS) return id; // being started right now
  await deps.db.autoscalePolicy.updateMany({ where: { id: policy.id, scalingOperationId: id }, data: { scalingOperationId: null } });
  return null;
}

async function record(deps: Deps, policy: AutoscalePolicy, decision: Decision, operationId: string | null): Promise<AutoscaleDecision> {
  return deps.db.autoscaleDecision.create({
    data: {
      serviceId: policy.serviceId,
      at: deps.clock.now(),
      currentServers: decision.current,
      recommendedServers: decision.recommended,
      desiredServers: decision.desired,
      action: decision.action,
      reason: decision.reason,
      observed: decision.recommendations as unknown as Prisma.InputJsonValue,
      operationId,
    },
  });
}
