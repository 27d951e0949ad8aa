// Flow 1: a temporary droplet from a base image gets Docker, nginx, node (cloud-init) and the
// agent (over SSH); once the agent answers it is powered off and snapshotted, and the temporary
// droplet is destroyed whatever happened. The Snapshot records the agent version it holds.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Operation, Snapshot } from "../../generated/prisma/client.js";
import type { DigitalOceanClient } from "../../integrations/digitalocean/index.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { startOperation, type OperationContext } from "../operations/run-operation.js";
import { expectedAgentVersion } from "../servers/agent-release.js";
import { parseInput } from "../validation.js";
import { buildSnapshotCloudConfig, renderCloudConfig, type NodeInstall } from "./cloud-init.js";
import { asProviderError, destroyDroplet, followCreate, publicIpv4, SNAPSHOT_TEMP_TAG } from "./droplet-steps.js";
import { digitalOceanClient, provisioningEnvironment } from "./environment.js";

export const CREATE_SNAPSHOT_HANDLER = "create-snapshot";

const slug = z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be a DigitalOcean slug (lowercase letters, digits and hyphens)");

export const CreateSnapshotInput = z
  .object({
    name: z.string().trim().regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, "use 1-63 lowercase letters, digits, dots or hyphens").optional(),
    region: slug.default("nyc3"),
    size: slug.default("s-1vcpu-1gb"),
    baseImage: slug.default("debian-12-x64"),
    /** Node from an official tarball (checked against its SHA-256); otherwise Debian's package. */
    nodeTarballUrl: z.string().optional(),
    nodeTarballSha256: z.string().optional(),
  })
  .refine((input) => (input.nodeTarballUrl === undefined) === (input.nodeTarballSha256 === undefined), {
    message: "give both the node tarball's URL and its SHA-256, or neither",
    path: ["nodeTarballSha256"],
  });

export type SnapshotJob = {
  snapshotId: string;
  region: string;
  size: string;
  baseImage: string;
  userData: string;
};

/** Records the snapshot (CREATING) and starts the operation that makes it. */
export async function createSnapshot(deps: Deps, viewer: Viewer, input: unknown): Promise<Operation> {
  const parsed = parseInput(CreateSnapshotInput, input);
  const node: NodeInstall = parsed.nodeTarballUrl
    ? { kind: "tarball", url: parsed.nodeTarballUrl, sha256: parsed.nodeTarballSha256! }
    : { kind: "apt", package: "nodejs" };
  // Built (and so validated) before anything is recorded.
  const userData = renderCloudConfig(buildSnapshotCloudConfig({ node }));
  const version = expectedAgentVersion();
  const name = parsed.name ?? `slipway-agent-${version.replace(/[^a-z0-9.-]/gi, "-")}-${new Date().toISOString().slice(0, 10)}-${randomBytes(2).toString("hex")}`;
  const snapshot = await deps.db.snapshot.create({ data: { name, regions: [parsed.region], agentVersion: version, status: "CREATING" } });
  return startOperation<SnapshotJob & { name: string }>(deps, {
    handler: CREATE_SNAPSHOT_HANDLER,
    kind: "SNAPSHOT",
    title: `Create the snapshot ${name} (${parsed.baseImage}, ${parsed.region}, agent ${version})`,
    input: { snapshotId: snapshot.id, name, region: parsed.region, size: parsed.size, baseImage: parsed.baseImage, userData },
    actorId: viewer.userId,
  });
}

export async function runCreateSnapshot(deps: Deps, ctx: OperationContext, job: SnapshotJob): Promise<Snapshot> {
  try {
    return await makeSnapshot(deps, ctx, job);
  } catch (error) {
    await deps.db.snapshot.update({ where: { id: job.snapshotId }, data: { status: "FAILED" } });
    throw asProviderError(error);
  }
}

async function makeSnapshot(deps: Deps, ctx: OperationContext, job: SnapshotJob): Promise<Snapshot> {
  const env = provisioningEnvironment(deps);
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

    const health = await env.installSnapshotAgent(deps, ctx, { id: droplet.id, name: droplet.name, address });
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
