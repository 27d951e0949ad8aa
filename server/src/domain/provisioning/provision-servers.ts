// Flow 2: droplets from a snapshot, created in one call, each recorded as a managed Server, its
// host key pinned on first contact and its agent given its own token. A droplet that fails (its
// create action errors, it never answers SSH, its agent does not come up) is destroyed and its
// row removed; the others are kept, and the operation fails naming each failure.
import { randomBytes } from "node:crypto";
import { DEFAULT_AGENT_PORT } from "@slipway/agent/protocol";
import { z } from "zod";
import type { Operation, Server } from "../../generated/prisma/client.js";
import type { DigitalOceanClient } from "../../integrations/digitalocean/index.js";
import type { Viewer } from "../auth/viewer.js";
import { readProviderToken } from "../credentials/credentials.js";
import type { Deps } from "../deps.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { startOperation, type OperationContext } from "../operations/run-operation.js";
import { isUniqueViolation } from "../projects/projects.js";
import { parseInput, resourceName } from "../validation.js";
import { asProviderError, destroyDroplet, followCreate, privateIpv4, publicIpv4 } from "./droplet-steps.js";
import { digitalOceanClient, provisioningEnvironment } from "./environment.js";

export const PROVISION_HANDLER = "provision-servers";
/** DigitalOcean creates at most ten droplets per call. */
export const MAX_DROPLETS_PER_CALL = 10;

export const ProvisionServersInput = z.object({
  snapshotId: z.string().min(1),
  count: z.number().int().min(1).max(50).default(1),
  /** Each server is named `<prefix>-<6 hex>`. */
  namePrefix: resourceName.refine((p) => p.length <= 32, "must be at most 32 characters").default("server"),
  region: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be a DigitalOcean region slug").optional(),
  size: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be a DigitalOcean size slug").default("s-1vcpu-1gb"),
});

export type ProvisionJob = { serverIds: string[]; snapshotProviderId: string; region: string; size: string };

/** Reserves the servers' names (rows in PROVISIONING) and starts the operation that creates them. */
export async function provisionServers(deps: Deps, viewer: Viewer, input: unknown): Promise<Operation> {
  const parsed = parseInput(ProvisionServersInput, input);
  const snapshot = await deps.db.snapshot.findUnique({ where: { id: parsed.snapshotId } });
  if (!snapshot) throw new NotFoundError("Snapshot");
  if (snapshot.status !== "AVAILABLE" || !snapshot.providerId) {
    throw new ConflictError(`The snapshot ${snapshot.name} is ${snapshot.status.toLowerCase()}, not available`);
  }
  const regions = snapshot.regions as string[];
  const region = parsed.region ?? regions[0]!;
  if (!regions.includes(region)) {
    throw new ValidationError(`Invalid input: region: the snapshot ${snapshot.name} is in ${regions.join(", ")}`, [
      { path: ["region"], message: `the snapshot is only in ${regions.join(", ")}` },
    ]);
  }
  await readProviderToken(deps, "DIGITALOCEAN"); // NotFoundError before anything is recorded

  const names = Array.from({ length: parsed.count }, () => `${parsed.namePrefix}-${randomBytes(3).toString("hex")}`);
  let servers: Server[];
  try {
    servers = await deps.db.$transaction(
      names.map((name) =>
        deps.db.server.create({
          data: { name, kind: "DROPLET", managed: true, status: "PROVISIONING", region, size: parsed.size, snapshotId: snapshot.id, agentPort: DEFAULT_AGENT_PORT },
        }),
      ),
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError("A server with one of the generated names already exists; try again");
    throw error;
  }
  return startOperation<ProvisionJob>(deps, {
    handler: PROVISION_HANDLER,
    kind: "PROVISION",
    title: `Provision ${parsed.count} server${parsed.count === 1 ? "" : "s"} from ${snapshot.name} (${region}, ${parsed.size})`,
    input: { serverIds: servers.map((s) => s.id), snapshotProviderId: snapshot.providerId, region, size: parsed.size },
    actorId: viewer.userId,
  });
}

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
  const env = provisioningEnvironment(deps);
  const emit = (message: string, level: "INFO" | "WARN" | "ERROR" = "INFO", step = "droplet") => ctx.emit({ step, message, level, serverId: server.id });
  await deps.db.server.update({ where: { id: server.id }, data: { providerId: String(droplet.id) } });
  try {
    const active = await followCreate(client, droplet);
    const address = publicIpv4(active);
    await deps.db.server.update({ where: { id: server.id }, data: { publicIpv4: address, privateIpv4: privateIpv4(active) } });
    await emit(`Droplet ${droplet.id} (${server.name}) is active at ${address}`);
    await env.bringUpAgent(deps, ctx, server.id);
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
