// Scale out: new droplets from the policy's snapshot (managed tag, host key pinned, own agent
// token: the provisioning operation's steps), each given the service's current release
// (place-current-release.ts), then the service's DNS records include them. A new server that
// cannot serve is destroyed again; those that joined stay even if another failed.
import { randomBytes } from "node:crypto";
import { DEFAULT_AGENT_PORT } from "@slipway/agent/protocol";
import type { Server } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { mapBounded } from "../deployments/bounded.js";
import { syncServiceDns } from "../domains/sync-dns-records.js";
import type { OperationContext } from "../ports.js";
import { runDeleteServer } from "../provisioning/delete-server-operation.js";
import { runProvisionServers } from "../provisioning/provision-servers-operation.js";
import { placeCurrentRelease } from "./place-current-release.js";
import { plural } from "./recommend-servers.js";
import type { ScaleJob } from "./scale-service-operation.js";

const JOIN_CONCURRENCY = 4;

export async function scaleOut(deps: Deps, ctx: OperationContext, job: ScaleJob): Promise<void> {
  const policy = await deps.db.autoscalePolicy.findUnique({ where: { id: job.policyId }, include: { service: true } });
  if (!policy) throw new Error("The autoscaling policy was removed");
  const snapshot = policy.snapshotId ? await deps.db.snapshot.findUnique({ where: { id: policy.snapshotId } }) : null;
  if (!snapshot?.providerId || snapshot.status !== "AVAILABLE") throw new Error("The policy's snapshot is not available any more: choose another one");
  const region = policy.region ?? (snapshot.regions as string[])[0]!;
  const size = policy.size ?? "s-1vcpu-1gb";
  // The policy may have changed since the decision: never past its maximum now.
  const current = await deps.db.serviceServer.count({ where: { serviceId: job.serviceId } });
  const count = Math.min(job.toServers, policy.maxServers) - current;
  if (count <= 0) {
    await ctx.emit({ step: "provision", message: `The service already has ${plural(current, "server")}: nothing to add` });
    return;
  }

  const servers = await ctx.fenced(async (tx) => {
    const made: Server[] = [];
    for (let i = 0; i < count; i++) {
      const server = await tx.server.create({
        data: { name: serverName(policy.service.name), kind: "DROPLET", managed: true, status: "PROVISIONING", region, size, snapshotId: snapshot.id, agentPort: DEFAULT_AGENT_PORT },
      });
      await tx.autoscaledServer.create({ data: { serverId: server.id, policyId: policy.id, serviceId: job.serviceId, operationId: ctx.operationId } });
      made.push(server);
    }
    return made;
  });
  await ctx.emit({ step: "provision", message: `Provisioning ${plural(count, "server")} from ${snapshot.name} (${region}, ${size}): ${servers.map((s) => s.name).join(", ")}` });
  try {
    await runProvisionServers(deps, ctx, { serverIds: servers.map((s) => s.id), snapshotProviderId: snapshot.providerId, region, size });
  } catch (error) {
    await ctx.emit({ step: "provision", level: "WARN", message: (error as Error).message });
  }

  const ready = await deps.db.server.findMany({ where: { id: { in: servers.map((s) => s.id) }, status: "ACTIVE" } });
  const joined: Server[] = [];
  await mapBounded(ready, JOIN_CONCURRENCY, async (server) => {
    try {
      await placeCurrentRelease(deps, ctx, job.serviceId, server.id);
      joined.push(server);
    } catch (error) {
      await ctx.emit({ step: "release", level: "ERROR", serverId: server.id, message: `${server.name} cannot serve the service: ${(error as Error).message}; destroying it` });
      await discard(deps, ctx, server.id);
    }
  });
  if (joined.length > 0) {
    await syncServiceDns(deps, ctx.emit.bind(ctx), job.serviceId);
    await ctx.fenced((tx) => tx.autoscalePolicy.updateMany({ where: { id: policy.id }, data: { lastScaleOutAt: new Date() } }));
  }
  const total = current + joined.length;
  await ctx.emit({ step: "summary", level: joined.length === count ? "INFO" : "WARN", message: `${joined.length} of ${plural(count, "new server")} serve the service: it runs on ${plural(total, "server")}` });
  if (joined.length < count) throw new Error(`${count - joined.length} of ${plural(count, "new server")} could not be added`);
}

/** After the replica died: servers this operation made that never joined are destroyed; the rest stay. */
export async function recoverScaleOut(deps: Deps, ctx: OperationContext, job: ScaleJob): Promise<void> {
  const made = await deps.db.autoscaledServer.findMany({ where: { operationId: ctx.operationId }, include: { server: { include: { services: true } } } });
  for (const { server } of made) {
    if (server.services.some((s) => s.serviceId === job.serviceId)) continue;
    await ctx.emit({ step: "recover", level: "WARN", serverId: server.id, message: `${server.name} never joined the service: destroying it` });
    await discard(deps, ctx, server.id);
  }
  await syncServiceDns(deps, ctx.emit.bind(ctx), job.serviceId);
}

async function discard(deps: Deps, ctx: OperationContext, serverId: string): Promise<void> {
  try {
    await runDeleteServer(deps, ctx, { serverId, force: false });
  } catch (error) {
    await ctx.emit({ step: "destroy", level: "ERROR", serverId, message: `Could not destroy it (delete the server by hand): ${(error as Error).message}` });
  }
}

/** `<service>-as-<6 hex>`, within the 40 characters a server name may have. */
function serverName(service: string): string {
  return `${service.slice(0, 29).replace(/-+$/, "")}-as-${randomBytes(3).toString("hex")}`;
}
