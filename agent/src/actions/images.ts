// Images: build from a streamed context, pull and label, load and export `docker save` tars,
// list and remove only what Slipway labelled.
import type { Readable } from "node:stream";
import type Docker from "dockerode";
import type { ImageInfo, ImageInspectInfo } from "dockerode";
import { pack } from "tar-stream";
import { buildOptions, labelFilters, retagDockerfile } from "../commands/docker.js";
import { AgentFailure, dockerMessage, isDockerNotFound } from "../errors.js";
import { LABELS, type ImageSummary } from "../protocol/index.js";
import { JsonLineSplitter, textLines } from "../streams.js";
import type { AgentDeps, Emit } from "./deps.js";

interface DockerMessage {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** Reads a Docker JSON-lines stream to its end; rejects with Docker's error message, if any. */
function followDocker(stream: NodeJS.ReadableStream, onMessage: (m: DockerMessage) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const split = new JsonLineSplitter();
    let error: string | null = null;
    const handle = (msgs: unknown[]) => {
      for (const raw of msgs) {
        const m = raw as DockerMessage;
        if (m.error || m.errorDetail?.message) error ??= m.error ?? m.errorDetail?.message ?? "error";
        else onMessage(m);
      }
    };
    stream.on("data", (c: Buffer) => handle(split.push(c)));
    stream.on("error", (e: Error) => reject(e));
    stream.on("end", () => {
      handle(split.end());
      if (error) reject(new Error(error));
      else resolve();
    });
  });
}

export async function buildImage(
  deps: AgentDeps,
  q: { tag: string; service: string; deployment: string },
  context: Readable,
  emit: Emit,
): Promise<ImageSummary> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await deps.docker.buildImage(context, buildOptions(q.tag, q.service, q.deployment));
  } catch (e) {
    throw new AgentFailure("build_failed", `docker build: ${dockerMessage(e)}`);
  }
  try {
    await followDocker(stream, (m) => {
      if (m.stream) for (const line of textLines(m.stream)) emit({ type: "log", step: "build", line });
    });
  } catch (e) {
    throw new AgentFailure("build_failed", `docker build: ${dockerMessage(e)}`);
  }
  return imageSummary(deps.docker, q.tag);
}

export async function pullImage(
  deps: AgentDeps,
  req: { image: string; tag: string; service: string; deployment: string },
  emit: Emit,
): Promise<ImageSummary> {
  try {
    const stream = await deps.docker.pull(req.image);
    let lastStatus = "";
    await followDocker(stream, (m) => {
      // Progress bars change many times a second; their status lines are enough.
      const line = [m.id, m.status].filter(Boolean).join(": ");
      if (m.status && !m.progress && line !== lastStatus) emit({ type: "log", step: "pull", line });
      lastStatus = line;
    });
  } catch (e) {
    throw new AgentFailure("pull_failed", `docker pull ${req.image}: ${dockerMessage(e)}`);
  }
  // Labels cannot be added to an existing image: a one-line build puts them on a new one.
  const ctx = pack();
  ctx.entry({ name: "Dockerfile" }, retagDockerfile(req.image));
  ctx.finalize();
  return buildImage(deps, req, ctx as unknown as Readable, emit);
}

/** Loads a `docker save` tar; answers the tags (or ids) Docker reports loaded. */
export async function loadImages(deps: AgentDeps, body: Readable): Promise<{ loaded: string[] }> {
  const loaded: string[] = [];
  try {
    const stream = (await deps.docker.loadImage(body)) as NodeJS.ReadableStream;
    await followDocker(stream, (m) => {
      const match = /^Loaded image(?: ID)?: (\S+)/.exec(m.stream?.trim() ?? "");
      if (match?.[1]) loaded.push(match[1]);
    });
  } catch (e) {
    throw new AgentFailure("load_failed", `docker load: ${dockerMessage(e)}`);
  }
  return { loaded };
}

/** A `docker save` tar of one Slipway image, streamed. */
export async function exportImage(deps: AgentDeps, tag: string): Promise<NodeJS.ReadableStream> {
  const info = await inspectImage(deps.docker, tag);
  if (!isSlipwayImage(info.Config?.Labels)) throw new AgentFailure("refused", `${tag} is not an image Slipway labelled`);
  return deps.docker.getImage(tag).get();
}

export async function listImages(deps: AgentDeps, service?: string): Promise<{ images: ImageSummary[] }> {
  const [images, used] = await Promise.all([
    deps.docker.listImages({ all: false, filters: labelFilters(service) }),
    imagesInUse(deps.docker),
  ]);
  return { images: images.map((i) => summaryFromList(i, used.has(i.Id))).sort((a, b) => b.createdAt.localeCompare(a.createdAt)) };
}

/**
 * Removes Slipway-labelled images no container (running or stopped) uses; refuses the rest.
 * Reclaimed bytes are the removed images' sizes (layers shared with kept images are counted).
 */
export async function removeImages(deps: AgentDeps, ids: string[]) {
  const result = { removed: [] as string[], reclaimedBytes: 0, refused: [] as { id: string; reason: string }[] };
  const used = await imagesInUse(deps.docker);
  for (const id of ids) {
    let info: ImageInspectInfo;
    try {
      info = await deps.docker.getImage(id).inspect();
    } catch (e) {
      result.refused.push({ id, reason: isDockerNotFound(e) ? "no such image" : dockerMessage(e) });
      continue;
    }
    if (!isSlipwayImage(info.Config?.Labels)) {
      result.refused.push({ id, reason: "not labelled by Slipway" });
      continue;
    }
    const users = used.get(info.Id);
    if (users) {
      result.refused.push({ id, reason: `in use by container ${users.join(", ")}` });
      continue;
    }
    try {
      // force: an image tagged several times goes with all its tags (no container uses it).
      await deps.docker.getImage(info.Id).remove({ force: true });
      result.removed.push(id);
      result.reclaimedBytes += info.Size;
    } catch (e) {
      result.refused.push({ id, reason: dockerMessage(e) });
    }
  }
  return result;
}

export async function imageSummary(docker: Docker, ref: string): Promise<ImageSummary> {
  const [info, used] = await Promise.all([inspectImage(docker, ref), imagesInUse(docker)]);
  const labels = info.Config?.Labels ?? {};
  return {
    id: info.Id,
    tags: info.RepoTags ?? [],
    sizeBytes: info.Size,
    createdAt: new Date(info.Created).toISOString(),
    service: labels[LABELS.service] ?? null,
    deployment: labels[LABELS.deployment] ?? null,
    inUse: used.has(info.Id),
  };
}

async function inspectImage(docker: Docker, ref: string): Promise<ImageInspectInfo> {
  try {
    return await docker.getImage(ref).inspect();
  } catch (e) {
    if (isDockerNotFound(e)) throw new AgentFailure("not_found", `no image ${ref} on this server`);
    throw new AgentFailure("docker_error", dockerMessage(e));
  }
}

/** Image id -> names of the containers (any state) created from it. */
async function imagesInUse(docker: Docker): Promise<Map<string, string[]>> {
  const used = new Map<string, string[]>();
  for (const c of await docker.listContainers({ all: true })) {
    const names = used.get(c.ImageID) ?? [];
    names.push((c.Names[0] ?? c.Id).replace(/^\//, ""));
    used.set(c.ImageID, names);
  }
  return used;
}

function isSlipwayImage(labels: Record<string, string> | null | undefined): boolean {
  return labels?.[LABELS.managed] === "true";
}

function summaryFromList(i: ImageInfo, inUse: boolean): ImageSummary {
  const labels = i.Labels ?? {};
  return {
    id: i.Id,
    tags: (i.RepoTags ?? []).filter((t) => t !== "<none>:<none>"),
    sizeBytes: i.Size,
    createdAt: new Date(i.Created * 1000).toISOString(),
    service: labels[LABELS.service] ?? null,
    deployment: labels[LABELS.deployment] ?? null,
    inUse,
  };
}
