// Scale in, one server: it leaves the service (deploys stop targeting it) and its DNS records go
// first; it keeps serving for SLIPWAY_AUTOSCALE_DNS_DRAIN_SECONDS while caches expire; then its
// agent drains it (nginx stops routing, in-flight requests finish, containers stop) and its droplet
// is destroyed. Only a server this policy created, never below the policy's minimum, never while
// a deploy of the service runs — checked again here, in the same transaction that takes the
// server out of the service.
import { setTimeout as sleep } from "node:timers/promises";
import type { Deps } from "../deps.js";
import { agentServiceName } from "../deployments/release-config.js";
import { syncServiceDns } from "../domains/sync-dns-records.js";
import { ConflictError } from "../errors.js";
import type { OperationContext } from "../ports.js";
import { runDeleteServer } from "../provisioning/delete-server-operation.js";
import { plural } from "./recommend-servers.js";
import type { ScaleJob } from "./scale-service-operation.js";

/** How long the agent lets in-flight requests finish after nginx stopped routing to the service. */
const CONTAINER_DRAIN_SECONDS = 2;

export async function scaleIn(deps: Deps, ctx: OperationContext, job: ScaleJob): Promise<void> {
  if (!job.serverId) throw new Error("A scale-in names the server to remove");
  const server = await deps.db.server.findUnique({ where: { id: job.serverId }, include: { autoscaledBy: true } });
  if (!server) throw new ConflictError("The server to remove is gone already");
  if (server.autoscaledBy?.policyId !== job.policyId || server.kind !== "DROPLET" || !server.managed) {
    throw new ConflictError(`${server.name} was not created by this policy: Slipway never removes it`);
  }
  if (server.status === "UNREACHABLE") throw new ConflictError(`${server.name} is unreachable: it is not removed until it answers again`);
  const policy = await deps.db.autoscalePolicy.findUniqueOrThrow({ where: { id: job.policyId } });

  await ctx.fenced(async (tx) => {
    const running = await tx.deployment.count({ where: { serviceId: job.serviceId, status: { in: ["QUEUED", "BUILDING", "DEPLOYING"] } } });
    if (running > 0) throw new ConflictError("A deploy of the service is running: not scaling in now");
    const current = await tx.serviceServer.count({ where: { serviceId: job.serviceId } });
    if (current - 1 < policy.minServers) throw new ConflictError(`Removing ${server.name} would leave fewer than the minimum of ${plural(policy.minServers, "server")}`);
    await tx.serviceServer.delete({ where: { serviceId_serverId: { serviceId: job.serviceId, serverId: server.id } } });
    await tx.server.update({ where: { id: server.id }, data: { status: "DRAINING" } });
  });
  await ctx.emit({ step: "leave", serverId: server.id, message: `${server.name} left the service: deploys no longer target it` });
  await retire(deps, ctx, job, server.id, server.name);
  await ctx.fenced((tx) => tx.autoscalePolicy.updateMany({ where: { id: policy.id }, data: { lastScaleInAt: new Date() } }));
  const left = await deps.db.serviceServer.count({ where: { serviceId: job.serviceId } });
  await ctx.emit({ step: "summary", message: `Removed ${server.name}: the service runs on ${plural(left, "server")}` });
}

/** After the replica died: a server already out of the service is finished off; one still in it is left serving. */
export async function recoverScaleIn(deps: Deps, ctx: OperationContext, job: ScaleJob): Promise<void> {
  if (!job.serverId) return;
  const server = await deps.db.server.findUnique({ where: { id: job.serverId }, include: { services: { where: { serviceId: job.serviceId } } } });
  if (!server) return;
  if (server.services.length > 0) {
    if (server.status === "DRAINING") await ctx.fenced((tx) => tx.server.update({ where: { id: server.id }, data: { status: "ACTIVE" } }));
    await ctx.emit({ step: "recover", serverId: server.id, message: `${server.name} had not left the service yet: it keeps serving` });
    return;
  }
  await ctx.emit({ step: "recover", level: "WARN", serverId: server.id, message: `${server.name} had left the service: finishing its removal` });
  await retire(deps, ctx, job, server.id, server.name);
}

async function retire(deps: Deps, ctx: OperationContext, job: ScaleJob, serverId: string, name: string): Promise<void> {
  await ctx.emit({ step: "dns", serverId, message: `Taking ${name} out of the service's DNS records` });
  await syncServiceDns(deps, ctx.emit.bind(ctx), job.serviceId, { withoutServerId: serverId });
  const drainMs = deps.config.autoscale.dnsDrainMs;
  await ctx.emit({ step: "drain", serverId, message: `${name} keeps serving for ${Math.round(drainMs / 1000)} s while DNS caches let go of it` });
  await sleep(drainMs);
  const service = await deps.db.service.findUniqueOrThrow({ where: { id: job.serviceId }, include: { project: true } });
  try {
    const retired = await deps.servers.retireService(serverId, agentServiceName(service), CONTAINER_DRAIN_SECONDS);
    await ctx.emit({ step: "drain", serverId, message: `nginx no longer routes to the service; ${plural(retired.stoppedContainers.length, "container")} stopped after in-flight requests finished` });
  } catch (error) {
    await ctx.emit({ step: "drain", serverId, level: "WARN", message: `Could not drain it (${(error as Error).message}); destroying it anyway` });
  }
  await runDeleteServer(deps, ctx, { serverId, force: false });
}
