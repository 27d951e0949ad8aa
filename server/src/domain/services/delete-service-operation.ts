// Deleting a service that ran somewhere: first every server it ran on must answer (each lists the
// service's images), so a server known to be down stops it before anything is touched; then, per
// server, the agent retires the service (nginx site out with `nginx -t` and a reload, containers
// and standbys stopped and removed) and its images go; then its Cloudflare DNS records; the rows
// last, in one fenced write. A failure on the way keeps the service and its rows: deleting it again
// finds nothing left to do where this run got to, and goes on from there.
import { z } from "zod";
import type { ImageSummary } from "@slipway/agent/protocol";
import { plural } from "../autoscaling/recommend-servers.js";
import type { Deps } from "../deps.js";
import { syncServiceDns } from "../domains/sync-dns-records.js";
import { defineOperation } from "../operations/operation.js";
import { ServerUnreachableError, type OperationContext } from "../ports.js";
import { serviceRemovalPlan, type ServerRemoval } from "./service-removal-plan.js";

// The service is going away: in-flight requests get a moment after nginx stops routing to it.
const RETIRE_DRAIN_SECONDS = 2;

export const deleteServiceOperation = defineOperation({
  name: "delete-service",
  kind: "DELETE_SERVICE",
  input: z.object({ serviceId: z.string().uuid() }),
  run: runDeleteService,
});

async function runDeleteService(deps: Deps, ctx: OperationContext, { serviceId }: { serviceId: string }): Promise<void> {
  const plan = await serviceRemovalPlan(deps, serviceId);
  const images = new Map<string, ImageSummary[]>();
  for (const server of plan.servers) {
    const listed = await onServer(server, "nothing was removed", () => deps.servers.listImages(server.serverId, server.agentName));
    images.set(server.serverId, listed);
    await ctx.emit({ step: "check", serverId: server.serverId, message: `${server.serverName} answers: ${plural(listed.length, "image")} of the service there` });
  }
  for (const server of plan.servers) await removeFromServer(deps, ctx, serviceId, server, images.get(server.serverId)!);
  await removeDnsRecords(deps, ctx, serviceId, plan.dnsHostnames);
  await ctx.fenced((tx) => tx.service.delete({ where: { id: serviceId } }));
  await ctx.emit({ step: "forget", progress: 1, message: "Deleted the service with its deployments, env vars, domains and deploy configs" });
}

async function removeFromServer(deps: Deps, ctx: OperationContext, serviceId: string, server: ServerRemoval, images: ImageSummary[]): Promise<void> {
  const emit = (step: string, message: string, level: "INFO" | "WARN" = "INFO") => ctx.emit({ step, message, level, serverId: server.serverId });
  const kept = "the service is kept with what is left";
  const retired = await onServer(server, kept, () => deps.servers.retireService(server.serverId, server.agentName, RETIRE_DRAIN_SECONDS));
  await emit(
    "retire",
    `${server.serverName}: ${retired.siteRemoved ? "nginx site removed" : "no nginx site"}, ${plural(retired.stoppedContainers.length, "container")} stopped and removed`,
  );
  // It runs nothing of the service now: deploys and DNS no longer count it.
  await ctx.fenced((tx) => tx.serviceServer.deleteMany({ where: { serviceId, serverId: server.serverId } }));
  if (images.length === 0) return;
  const removed = await onServer(server, kept, () => deps.servers.removeImages(server.serverId, images.map((image) => image.id)));
  await emit("images", `${server.serverName}: removed ${plural(removed.removed.length, "image")}, ${removed.reclaimedBytes} bytes reclaimed`);
  for (const refused of removed.refused) await emit("images", `${server.serverName} kept image ${refused.id}: ${refused.reason}`, "WARN");
}

/** Empties the A records Slipway owns at the service's hostnames; without a Cloudflare token there are none to touch. */
async function removeDnsRecords(deps: Deps, ctx: OperationContext, serviceId: string, hostnames: string[]): Promise<void> {
  if (hostnames.length === 0) return;
  const outcome = await syncServiceDns(deps, ctx.emit.bind(ctx), serviceId, { formerHostnames: hostnames });
  if (!outcome.synced && !outcome.skipped) {
    throw new Error(`The DNS records of ${hostnames.join(", ")} could not all be removed: the service is kept; delete it again to retry`);
  }
}

/** A call to one server; a failure fails the deletion, naming the server and what was kept. */
async function onServer<T>(server: ServerRemoval, kept: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ServerUnreachableError) {
      throw new Error(`${server.serverName} could not be reached (${error.message}): ${kept}; delete it again once the server answers`);
    }
    throw new Error(`${server.serverName}: ${(error as Error).message}; ${kept}`);
  }
}
