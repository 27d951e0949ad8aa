import { randomUUID } from "node:crypto";
import type { Deployment, Operation, Project, Server, Service, SourceType } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import type { OperationDescriptor } from "../operations/operation.js";
import { startOperation } from "../operations/start-operation.js";
import { claimDeploySlot, holdService } from "./deploy-claim.js";
import { imageTagFor } from "./release-config.js";

/** The config a release runs with, snapshotted on its deployment so a rollback restores exactly it. */
export interface ReleaseSnapshot {
  port: number;
  healthCheckPath: string;
  healthCheckTimeoutSeconds: number;
  healthCheckIntervalMs: number;
  drainTimeoutSeconds: number;
  domains: string[];
  /** The env (values and which are secret), sealed with sealEnv. */
  envCiphertext: string;
}

export interface DeploymentToRecord {
  service: Service & { project: Project };
  servers: Server[];
  source: { type: SourceType; ref: string };
  config: ReleaseSnapshot;
  actorId: string | null;
  /** A rollback: the earlier deployment whose image it reuses, and the one it replaces. */
  rollback?: { restored: Pick<Deployment, "id" | "imageTag">; replacing: string | null };
  /** The operation that builds and releases it, its title and its input besides the deployment id. */
  operation: { descriptor: OperationDescriptor<{ deploymentId: string }>; title: string; input?: Record<string, unknown> };
  /** Runs after the deployment is recorded and before its operation starts (e.g. storing the build context). */
  beforeStart?: (deploymentId: string) => Promise<void>;
}

/**
 * Records a deployment — its source, its image tag, the config snapshot and, per server, what the
 * server ran before (so a failure can put it back) — and starts its operation. Deploy and
 * rollback both go through here.
 */
export async function recordDeployment(deps: Deps, record: DeploymentToRecord): Promise<{ deployment: Deployment; operation: Operation }> {
  const id = randomUUID();
  const current = await deps.db.serviceServer.findMany({ where: { serviceId: record.service.id } });
  // Recorded and claimed together: a deploy that loses the race leaves nothing behind.
  await deps.db.$transaction(async (tx) => {
    await holdService(tx, record.service.id);
    await tx.deployment.create({
      data: {
        id,
        serviceId: record.service.id,
        sourceType: record.source.type,
        sourceRef: record.source.ref,
        imageTag: record.rollback?.restored.imageTag ?? imageTagFor(record.service.imageBase, id),
        ...record.config,
        restoredId: record.rollback?.restored.id ?? null,
        rolledBackFromId: record.rollback?.replacing ?? null,
        createdById: record.actorId,
        targets: {
          create: record.servers.map((server) => ({
            serverId: server.id,
            previousDeploymentId: current.find((c) => c.serverId === server.id)?.currentDeploymentId ?? null,
          })),
        },
      },
    });
    await claimDeploySlot(tx, record.service.id, id);
  });
  let operation: Operation;
  try {
    await record.beforeStart?.(id);
    operation = await startOperation(deps, record.operation.descriptor, { ...record.operation.input, deploymentId: id }, {
      title: record.operation.title,
      actorId: record.actorId,
      serviceId: record.service.id,
    });
  } catch (error) {
    // Deleting it frees the service's slot too (the claim's reference is set null).
    await deps.db.deployment.delete({ where: { id } });
    throw error;
  }
  const deployment = await deps.db.deployment.update({ where: { id }, data: { operationId: operation.id } });
  return { deployment, operation };
}
