// Flow 1: a temporary droplet from a base image gets Docker, nginx, node (cloud-init) and the
// agent (over SSH); once the agent answers it is powered off and snapshotted, and the temporary
// droplet is destroyed whatever happened. The Snapshot records the agent version it holds.
import { z } from "zod";
import type { Snapshot } from "../../generated/prisma/client.js";
import type { DigitalOceanClient } from "../../integrations/digitalocean/index.js";
import type { Deps } from "../deps.js";
import { defineOperation } from "../operations/operation.js";
import type { OperationContext } from "../ports.js";
import { expectedAgentVersion } from "../servers/agent-release.js";
import { asProviderError, destroyDroplet, followCreate, publicIpv4, SNAPSHOT_TEMP_TAG } from "./droplet-steps.js";
import { digitalOceanClient } from "./environment.js";

type SnapshotJob = { snapshotId: string; region: string; size: string; baseImage: string; userData: string };


async function runCreateSnapshot(deps: Deps, ctx: OperationContext, job: SnapshotJob): Promise<Snapshot> {
  try {
    return await makeSnapshot(deps, ctx, job);
  } catch (error) {
    await deps.db.snapshot.update({ where: { id: job.snapshotId }, data: { status: "FAILED" } });
    throw asProviderError(error);
  }
}

async function makeSnapshot(deps: Deps, ctx: OperationContext, job: SnapshotJob): Promise<Snapshot> {
  const env = deps.provisioning;
  const record = await deps.db.snapshot.findUniqueOrThrow({ where: { id: job.snapshotId } });
  const client = await digitalOceanClient(deps);
  const emit = (step: string, message: string, progress?: number) => ctx.emit({ step, message, progress });

  const key = await client.ensureSshKey({ name: "slipway-control-plane", publicKey: deps.connections.identity().publicKey });
  await emit("ssh-key", `The control plane's SSH key is registered (${key.fingerprint})`, 0.02);

  const tempName = `${record.name.slice(0, 56)}-build`;
  let dropletId: number | undefined;
  try {
    await emit("droplet", `Creating the temporary droplet ${tempName} (${job.baseImage}, ${job.region}, ${job.size})`, 0.05);
    const [created] = await client.createDroplets(
      { names: [tempName], region: job.region, size: job.size, image: job.baseImage, sshKeys: [key.id!], tags: [SNAPSHOT_TEMP_TAG], userData: job.userData },
      { wait: false },
    );
    dropletId = created!.id;
    const droplet = await followCreate(client, created!);
    const address = publicIpv4(droplet);
    await emit("droplet", `The temporary droplet ${droplet.id} is active at ${address}`, 0.2);

    const health = await env.installSnapshotAgent(ctx, { id: droplet.id, name: droplet.name, address });
    await emit("agent", `Agent ${health.version} answers on the temporary droplet`, 0.6);

    await emit("power-off", "Powering the temporary droplet off", 0.65);
    await client.powerOffDroplet(droplet.id);
    await emit("snapshot", `Snapshotting it as ${record.name}`, 0.7);
    const taken = await client.snapshotDroplet(droplet.id, record.name);
    await emit("snapshot", `Snapshot ${taken.id} is ready in ${taken.regions.join(", ")}`, 0.9);
    return await deps.db.snapshot.update({
      where: { id: record.id },
      data: {
        providerId: String(taken.id),
        regions: taken.regions,
        sizeGigabytes: taken.size_gigabytes ?? null,
        agentVersion: expectedAgentVersion(),
        status: "AVAILABLE",
      },
    });
  } finally {
    await destroyTemporary(ctx, client, tempName, dropletId, env.goneWaitMs);
  }
}

/** Never leaves the temporary droplet behind: found by id, or by name when the create's answer was lost. */
async function destroyTemporary(ctx: OperationContext, client: DigitalOceanClient, name: string, id: number | undefined, goneWaitMs: number) {
  try {
    const ids = id !== undefined ? [id] : (await client.listManagedDroplets()).filter((d) => d.name === name).map((d) => d.id);
    for (const dropletId of ids) {
      await destroyDroplet(client, dropletId, { goneWaitMs });
      await ctx.emit({ step: "cleanup", message: `Destroyed the temporary droplet ${dropletId}` });
    }
  } catch (error) {
    await ctx.emit({ step: "cleanup", level: "ERROR", message: `Could not destroy the temporary droplet ${name}: ${(error as Error).message}` });
  }
}


export const createSnapshotOperation = defineOperation({
  name: "create-snapshot",
  kind: "SNAPSHOT",
  input: z.object({
    snapshotId: z.string().uuid(),
    region: z.string(),
    size: z.string(),
    baseImage: z.string(),
    userData: z.string(),
  }),
  run: async (deps, ctx, job) => void (await runCreateSnapshot(deps, ctx, job)),
  // The temporary droplet is tagged: a later run's cleanup or the user can find it; the snapshot is not made.
  recover: async (deps, ctx, job) => {
    await ctx.fenced((tx) => tx.snapshot.updateMany({ where: { id: job.snapshotId, status: "CREATING" }, data: { status: "FAILED" } }));
    await ctx.emit({ step: "cleanup", level: "WARN", message: `The snapshot was not made; a temporary droplet tagged ${SNAPSHOT_TEMP_TAG} may be left to delete` });
  },
});
