import { z } from "zod";
import type { Deployment, Operation } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { parseInput } from "../validation.js";
import { recordDeployment } from "./record-deployment.js";
import { rollbackDeploymentOperation } from "./rollback-deployment-operation.js";
import { assertDeploySlotFree, resolveTargets } from "./targets.js";

const RollbackInput = z.object({ deploymentId: z.string().uuid() });

/**
 * Rolls a service back to an earlier deployment: a new deployment that reuses that one's image
 * tag and config snapshot (env, port, domains, health check) and goes through the same
 * health-gated release. Nothing is rebuilt.
 */
export async function rollbackDeployment(deps: Deps, viewer: Viewer, input: unknown): Promise<{ deployment: Deployment; operation: Operation }> {
  const { deploymentId } = parseInput(RollbackInput, input);
  const target = await deps.db.deployment.findUnique({ where: { id: deploymentId }, include: { service: { include: { project: true } } } });
  if (!target) throw new NotFoundError("Deployment");
  if (target.status !== "SUCCEEDED") {
    throw new ValidationError("Only a deployment that succeeded can be rolled back to", [{ path: ["deploymentId"], message: `it ${target.status.toLowerCase()}` }]);
  }
  await assertDeploySlotFree(deps, target.serviceId);
  const running = await deps.db.serviceServer.findMany({ where: { serviceId: target.serviceId } });
  const servers = await resolveTargets(deps, target.serviceId, undefined);
  const current = running.find((r) => r.currentDeploymentId)?.currentDeploymentId ?? null;
  if (current === target.id) {
    throw new ValidationError("That deployment is already the one running", [{ path: ["deploymentId"], message: "already running" }]);
  }

  return recordDeployment(deps, {
    service: target.service,
    servers,
    source: { type: target.sourceType, ref: target.sourceRef },
    config: {
      port: target.port,
      healthCheckPath: target.healthCheckPath,
      healthCheckTimeoutSeconds: target.healthCheckTimeoutSeconds,
      healthCheckIntervalMs: target.healthCheckIntervalMs,
      drainTimeoutSeconds: target.drainTimeoutSeconds,
      domains: target.domains as string[],
      envCiphertext: target.envCiphertext,
    },
    actorId: viewer.userId,
    // Rolling back to a rollback restores what that one restored.
    rollback: { restored: { id: target.restoredId ?? target.id, imageTag: target.imageTag }, replacing: current },
    operation: { descriptor: rollbackDeploymentOperation, title: `Roll back ${target.service.project.name}/${target.service.name} to ${target.imageTag}` },
  });
}
