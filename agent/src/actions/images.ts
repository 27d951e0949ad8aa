// Images: build from a streamed context, pull (only when needed) and tag, load and export
// `docker save` tars, list and remove only Slipway's images. Slipway's images are those it
// built (labelled) and those it tagged for a deployment without a build (recorded in the agent's
// state, see commands/state.ts); nothing else is ever listed, exported or removed.
import type { Readable } from "node:stream";
import { buildSpec } from "../commands/docker.js";
import type { ManagedImage, ManagedImages } from "../commands/state.js";
import type { ImageDetails } from "../engine/types.js";
import { AgentFailure, messageOf } from "../errors.js";
import { LABELS, type ImageSummary } from "../protocol/index.js";
import type { AgentDeps, Emit } from "./deps.js";
import { forgetManagedImages, readManagedImages, recordManagedImages } from "./managed-images.js";

type ImageRequest = { tag: string; service: string; deployment: string };

export async function buildImage(deps: AgentDeps, q: ImageRequest, context: Readable, emit: Emit): Promise<ImageSummary> {
  try {
    await deps.engine.build(context, buildSpec(q.tag, q.service, q.deployment), (line) => emit({ type: "log", step: "build", line }));
  } catch (e) {
    throw new AgentFailure("build_failed", `docker build: ${messageOf(e)}`);
  }
  return imageSummary(deps, q.tag);
}

/**
 * Tags an image from a registry for a deployment. It is pulled only when the reference is not
 * on the server yet (a tag or digest already here is used as is), or always with `always`.
 */
export async function pullImage(deps: AgentDeps, req: ImageRequest & { image: string; policy: "missing" | "always" }, emit: Emit): Promise<ImageSummary> {
  const present = await deps.engine.inspectImage(req.image);
  if (present && req.policy === "missing") {
    emit({ type: "log", step: "pull", line: `${req.image} is on this server already (${present.id.slice(7, 19)}): not pulling` });
  } else {
    try {
      await deps.engine.pull(req.image, (line) => emit({ type: "log", step: "pull", line }));
    } catch (e) {
      throw new AgentFailure("pull_failed", `docker pull ${req.image}: ${messageOf(e)}`);
    }
  }
  await deps.engine.tagImage(req.image, req.tag);
  await recordManagedImages(deps, { [req.tag]: { service: req.service, deployment: req.deployment, pulledFrom: present ? null : req.image } });
  return imageSummary(deps, req.tag);
}

/** Loads a `docker save` tar; the tags it brings without Slipway's labels are recorded as the deployment's. */
export async function loadImages(deps: AgentDeps, q: { service: string; deployment: string }, body: Readable): Promise<{ loaded: string[] }> {
  let loaded: string[];
  try {
    loaded = await deps.engine.load(body);
  } catch (e) {
    throw new AgentFailure("load_failed", `docker load: ${messageOf(e)}`);
  }
  const unlabelled: Record<string, ManagedImage> = {};
  for (const tag of loaded) {
    const image = await deps.engine.inspectImage(tag);
    if (image && !isLabelled(image)) unlabelled[tag] = { service: q.service, deployment: q.deployment, pulledFrom: null };
  }
  if (Object.keys(unlabelled).length > 0) await recordManagedImages(deps, unlabelled);
  return { loaded };
}

/** A `docker save` tar of one Slipway image, streamed. */
export async function exportImage(deps: AgentDeps, tag: string): Promise<NodeJS.ReadableStream> {
  const image = await deps.engine.inspectImage(tag);
  if (!image) throw new AgentFailure("not_found", `no image ${tag} on this server`);
  if (!owner(image, await readManagedImages(deps))) throw new AgentFailure("refused", `${tag} is not an image Slipway labelled`);
  return deps.engine.save(tag);
}

export async function listImages(deps: AgentDeps, service?: string): Promise<{ images: ImageSummary[] }> {
  const [images, managed, used] = await Promise.all([deps.engine.listImages(), readManagedImages(deps), imagesInUse(deps)]);
  const summaries = images.flatMap((image) => {
    const who = owner(image, managed);
    if (!who || (service !== undefined && who.service !== service)) return [];
    return [summary(image, who, used.has(image.id))];
  });
  return { images: summaries.sort((a, b) => b.createdAt.localeCompare(a.createdAt)) };
}

/**
 * Removes Slipway's images that no container (running or stopped) uses; refuses the rest. A
 * labelled image goes with all its tags; a recorded one loses the tags Slipway gave it (and the
 * reference it pulled, when no other record needs it), so an image someone else also tagged stays.
 * Reclaimed bytes are the sizes of images that are gone afterwards.
 */
export async function removeImages(deps: AgentDeps, ids: string[]) {
  const result = { removed: [] as string[], reclaimedBytes: 0, refused: [] as { id: string; reason: string }[] };
  const used = await imagesInUse(deps);
  const managed = await readManagedImages(deps);
  for (const id of ids) {
    const image = await deps.engine.inspectImage(id).catch(() => null);
    if (!image) {
      result.refused.push({ id, reason: "no such image" });
      continue;
    }
    if (!owner(image, managed)) {
      result.refused.push({ id, reason: "not labelled by Slipway" });
      continue;
    }
    const users = used.get(image.id);
    if (users) {
      result.refused.push({ id, reason: `in use by container ${users.join(", ")}` });
      continue;
    }
    try {
      if (isLabelled(image)) {
        // force: an image tagged several times goes with all its tags (no container uses it).
        await deps.engine.removeImage(image.id, { force: true });
      } else {
        const tags = image.tags.filter((t) => managed[t]);
        const others = Object.entries(managed).filter(([t]) => !tags.includes(t));
        const sources = tags.flatMap((t) => managed[t]!.pulledFrom ?? []).filter((s) => image.tags.includes(s) && !others.some(([, m]) => m.pulledFrom === s));
        for (const ref of [...tags, ...new Set(sources)]) await deps.engine.removeImage(ref);
        await forgetManagedImages(deps, tags);
      }
      result.removed.push(id);
      if (!(await deps.engine.inspectImage(image.id))) result.reclaimedBytes += image.sizeBytes;
    } catch (e) {
      result.refused.push({ id, reason: messageOf(e) });
    }
  }
  return result;
}

export async function imageSummary(deps: AgentDeps, ref: string): Promise<ImageSummary> {
  const [image, managed, used] = await Promise.all([deps.engine.inspectImage(ref), readManagedImages(deps), imagesInUse(deps)]);
  if (!image) throw new AgentFailure("not_found", `no image ${ref} on this server`);
  return summary(image, owner(image, managed) ?? { service: null, deployment: null }, used.has(image.id));
}

/** Image id -> names of the containers (any state) created from it. */
async function imagesInUse(deps: AgentDeps): Promise<Map<string, string[]>> {
  const used = new Map<string, string[]>();
  for (const c of await deps.engine.listContainers()) used.set(c.imageId, [...(used.get(c.imageId) ?? []), c.name]);
  return used;
}

function isLabelled(image: ImageDetails): boolean {
  return image.labels[LABELS.managed] === "true";
}

/** Which service and deployment an image is Slipway's for (its labels, else its record), or null. */
function owner(image: ImageDetails, managed: ManagedImages): { service: string | null; deployment: string | null } | null {
  if (isLabelled(image)) return { service: image.labels[LABELS.service] ?? null, deployment: image.labels[LABELS.deployment] ?? null };
  const record = image.tags.map((t) => managed[t]).find((m) => m !== undefined);
  return record ? { service: record.service, deployment: record.deployment } : null;
}

function summary(image: ImageDetails, who: { service: string | null; deployment: string | null }, inUse: boolean): ImageSummary {
  return { id: image.id, tags: [...image.tags], sizeBytes: image.sizeBytes, createdAt: image.createdAt, service: who.service, deployment: who.deployment, inUse };
}
