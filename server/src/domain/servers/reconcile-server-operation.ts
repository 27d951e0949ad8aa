// The reconcile operation: one server, lost during a release and seen again, is released onto the
// fleet's release the same health-gated way a deploy does it, its image copied from a server that
// has it when it lacks it.
import { isLive, type AgentStreamLine } from "@slipway/agent/protocol";
import { z } from "zod";
import { storedReleaseTls } from "../domains/prepare-release-tls.js";
import { agentServiceName, releaseRequestFor, secretValuesOf } from "../deployments/release-config.js";
import { reportRunning } from "../deployments/run-deployment.js";
import { moveTarget } from "../deployments/target-states.js";
import type { Deps } from "../deps.js";
import { defineOperation } from "../operations/operation.js";
import { ServerUnreachableError, type OperationContext } from "../ports.js";
import { markServerUnreachable } from "./server-reachability.js";

export const ReconcileInput = z.object({
  serverId: z.string().uuid(),
  serviceId: z.string().uuid(),
  /** The fleet's release, to run on the server. */
  deploymentId: z.string().uuid(),
  /** Deployments whose target on this server went live while it was lost: put back once it runs the fleet's. */
  revertTargets: z.array(z.string().uuid()),
});
export type ReconcileInput = z.infer<typeof ReconcileInput>;

/** A server lost during a release and seen again, brought onto the fleet's release. */
export const reconcileServerOperation = defineOperation({
  name: "reconcile-server",
  kind: "RECONCILE",
  input: ReconcileInput,
  run: runReconcile,
});

async function runReconcile(deps: Deps, ctx: OperationContext, input: ReconcileInput): Promise<void> {
  const server = await deps.db.server.findUniqueOrThrow({ where: { id: input.serverId } });
  const release = await deps.db.deployment.findUniqueOrThrow({ where: { id: input.deploymentId }, include: { service: { include: { project: true } } } });
  for (const secret of secretValuesOf(deps, release)) ctx.redact(secret);
  const names = { project: release.service.project, service: release.service };
  const service = agentServiceName(names.service);
  const emit = (message: string, extra: { level?: "INFO" | "WARN" | "ERROR"; progress?: number } = {}) =>
    ctx.emit({ step: "reconcile", message, serverId: server.id, ...extra });

  try {
    await emit(`${server.name} answers again; the fleet runs ${release.imageTag}`);
    const images = await deps.servers.listImages(server.id, service);
    if (!images.some((image) => image.tags.includes(release.imageTag))) {
      const holder = await findHolder(deps, release.serviceId, server.id, service, release.imageTag);
      await ctx.emit({ step: "image", message: `Copying ${release.imageTag}`, serverId: server.id });
      await deps.servers.copyImage({ tag: release.imageTag, service, deployment: release.id }, holder, server.id);
    }
    const forward = async (line: AgentStreamLine) => {
      if (line.type === "state") await emit(line.message);
    };
    const result = await deps.servers.release(server.id, releaseRequestFor(deps, release, names, await storedReleaseTls(deps, release)), forward);
    if (!isLive(result.state)) throw new Error(`${server.name}: ${result.error ?? "not switched"}`);
    await reportRunning(deps.db, release.serviceId, server.id, release.id, result.containerId);
    for (const deploymentId of input.revertTargets) await moveTarget(deps.db, deploymentId, server.id, "reverted", { error: "put back once it answered again" });
    await emit(`${server.name} runs ${release.imageTag} again, like the rest of the fleet`, { progress: 1 });
  } catch (error) {
    if (error instanceof ServerUnreachableError) await markServerUnreachable(deps, server.id);
    await emit(`${server.name}: could not bring it in line: ${(error as Error).message}`, { level: "ERROR" });
    throw error;
  }
}

async function findHolder(deps: Deps, serviceId: string, except: string, service: string, tag: string): Promise<string> {
  const others = await deps.db.serviceServer.findMany({ where: { serviceId, serverId: { not: except }, server: { status: "ACTIVE" } }, select: { serverId: true } });
  for (const { serverId } of others) {
    const images = await deps.servers.listImages(serverId, service).catch(() => []);
    if (images.some((image) => image.tags.includes(tag))) return serverId;
  }
  throw new Error(`No other server has ${tag} to copy from`);
}
