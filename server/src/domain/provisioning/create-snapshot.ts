// Flow 1: a temporary droplet from a base image gets Docker, nginx, node (cloud-init) and the
// agent (over SSH); once the agent answers it is powered off and snapshotted, and the temporary
// droplet is destroyed whatever happened. The Snapshot records the agent version it holds.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Operation } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { startOperation } from "../operations/start-operation.js";
import { expectedAgentVersion } from "../servers/agent-release.js";
import { parseInput } from "../validation.js";
import { buildSnapshotCloudConfig, renderCloudConfig, type NodeInstall } from "./cloud-init.js";
import { createSnapshotOperation } from "./create-snapshot-operation.js";

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
  return startOperation(
    deps,
    createSnapshotOperation,
    { snapshotId: snapshot.id, region: parsed.region, size: parsed.size, baseImage: parsed.baseImage, userData },
    { title: `Create the snapshot ${name} (${parsed.baseImage}, ${parsed.region}, agent ${version})`, actorId: viewer.userId },
  );
}
