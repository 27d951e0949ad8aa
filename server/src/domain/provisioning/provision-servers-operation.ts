// Flow 2, the operation: droplets from a snapshot, created in batches, each recorded as a managed
// Server, its host key pinned on first contact and its agent given its own token. A droplet that
// fails (its create action errors, it never answers SSH, its agent does not come up) is destroyed
// and its row removed; the others are kept, and the operation fails naming each failure.
import { z } from "zod";
import type { Server } from "../../generated/prisma/client.js";
import type { DigitalOceanClient } from "../../integrations/digitalocean/index.js";
import type { Deps } from "../deps.js";
import { defineOperation } from "../operations/operation.js";
import type { OperationContext } from "../ports.js";
import { asProviderError, destroyDroplet, followCreate, privateIpv4, publicIpv4 } from "./droplet-steps.js";
import { digitalOceanClient } from "./environment.js";

/** DigitalOcean creates at most ten droplets per call. */
const MAX_DROPLETS_PER_CALL = 10;

export type ProvisionJob = { serverIds: string[]; snapshotProviderId: string; region: string; size: string };

/** Creates the recorded servers' droplets and brings each up; throws naming each one that failed (and was destroyed). */
export async function runProvisionServers(deps: Deps, ctx: OperationContext, job: ProvisionJob): Promise<void> {
  const servers = await deps.db.server.findMany({ where: { id: { in: job.serverIds } }, orderBy: { name: "asc" } });
  const failures = new Map<string, string>();
  let client: DigitalOceanClient;
  let keyId: number;
  try {
    client = await digitalOceanClient(deps);
    const key = await client.ensureSshKey({ name: "slipway-control-plane", publicKey: deps.connections.identity().publicKey });
    keyId = key.id!;
    await ctx.emit({ step: "ssh-key", message: `The control plane's SSH key is registered (${key.fingerprint})`, progress: 0.02 });
  } catch (error) {
    await deps.db.server.deleteMany({ where: { id: { in: job.serverIds }, providerId: null } });
    throw asProviderError(error);
  }

  const batches: Server[][] = [];
  for (let i = 0; i < servers.length; i += MAX_DROPLETS_PER_CALL) batches.push(servers.slice(i, i + MAX_DROPLETS_PER_CALL));
  await Promise.all(
    batches.map(async (batch) => {
      let created;
      try {
        await ctx.emit({ step: "create", message: `Creating ${batch.map((s) => s.name).join(", ")}` });
        created = await client.createDroplets(
          { names: batch.map((s) => s.name), region: job.region, size: job.size, image: Number(job.snapshotProviderId), sshKeys: [keyId] },
          { wait: false },
        );
      } catch (error) {
        const reason = (asProviderError(error) as Error).message;
        for (const server of batch) failures.set(server.name, reason);
        await deps.db.server.deleteMany({ where: { id: { in: batch.map((s) => s.id) } } });
        await ctx.emit({ step: "create", level: "ERROR", message: `Could not create ${batch.map((s) => s.name).join(", ")}: ${reason}` });
        return;
      }
      await Promise.all(
        batch.map(async (server) => {
          const droplet = created.find((d) => d.name === server.name);
          if (!droplet) {
            failures.set(server.name, "DigitalOcean did not return it");
            await deps.db.server.delete({ where: { id: server.id } });
            return;
          }
          const reason = await bringUp(deps, ctx, client, server, droplet);
          if (reason !== null) failures.set(server.name, reason);
        }),
      );
    }),
  );

  const succeeded = servers.length - failures.size;
  await ctx.emit({ step: "summary", message: `${succeeded} of ${servers.length} server${servers.length === 1 ? "" : "s"} ready`, level: failures.size ? "WARN" : "INFO" });
  if (failures.size > 0) {
    const list = [...failures].map(([name, reason]) => `${name}: ${reason}`).join("; ");
    throw new Error(`${failures.size} of ${servers.length} droplet${servers.length === 1 ? "" : "s"} failed and ${failures.size === 1 ? "was" : "were"} destroyed: ${list}`);
  }
}

/** One droplet, from its create action to an answering agent; returns why it failed, or null. */
async function bringUp(deps: Deps, ctx: OperationContext, client: DigitalOceanClient, server: Server, droplet: { id: number; name: string }): Promise<string | null> {
  const env = deps.provisioning;
  const emit = (message: string, level: "INFO" | "WARN" | "ERROR" = "INFO", step = "droplet") => ctx.emit({ step, message, level, serverId: server.id });
  await deps.db.server.update({ where: { id: server.id }, data: { providerId: String(droplet.id) } });
  try {
    const active = await followCreate(client, droplet);
    const address = publicIpv4(active);
    await deps.db.server.update({ where: { id: server.id }, data: { publicIpv4: address, privateIpv4: privateIpv4(active) } });
    await emit(`Droplet ${droplet.id} (${server.name}) is active at ${address}`);
    await env.bringUpAgent(ctx, server.id);
    await emit(`${server.name} is ACTIVE`, "INFO", "ready");
    return null;
  } catch (error) {
    const reason = (asProviderError(error) as Error).message;
    await emit(`${server.name} failed: ${reason}; destroying droplet ${droplet.id}`, "ERROR", "failed");
    deps.connections.forget(server.id);
    try {
      await destroyDroplet(client, droplet.id, { goneWaitMs: env.goneWaitMs });
      await deps.db.server.delete({ where: { id: server.id } });
      await ctx.emit({ step: "failed", message: `Destroyed droplet ${droplet.id} (${server.name})` });
    } catch (cleanup) {
      await deps.db.server.update({ where: { id: server.id }, data: { status: "ERROR" } });
      await emit(`Could not destroy droplet ${droplet.id}: ${(cleanup as Error).message}`, "ERROR", "failed");
      return `${reason} (and destroying it failed: ${(cleanup as Error).message})`;
    }
    return reason;
  }
}


export const provisionServersOperation = defineOperation({
  name: "provision-servers",
  kind: "PROVISION",
  input: z.object({ serverIds: z.array(z.string().uuid()), snapshotProviderId: z.string(), region: z.string(), size: z.string() }),
  run: runProvisionServers,
  // Droplets it had created keep running: their rows say ERROR so that they can be deleted.
  recover: async (deps, ctx, job) => {
    const stranded = await deps.db.server.findMany({ where: { id: { in: job.serverIds }, status: "PROVISIONING" } });
    await ctx.fenced((tx) => tx.server.updateMany({ where: { id: { in: stranded.map((s) => s.id) } }, data: { status: "ERROR" } }));
    for (const server of stranded) {
      await ctx.emit({ step: "failed", level: "WARN", serverId: server.id, message: `${server.name} is marked ERROR: its provisioning was interrupted${server.providerId ? ` (droplet ${server.providerId}; delete the server to destroy it)` : ""}` });
    }
  },
});
