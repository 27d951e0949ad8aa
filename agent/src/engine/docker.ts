// The real engine: dockerode on the Docker Engine's unix socket. Every Docker error reaches the
// caller as an EngineError carrying Docker's own message.
import type { Readable } from "node:stream";
import Docker from "dockerode";
import { demuxDockerLogs, JsonLineSplitter, textLines } from "../streams.js";
import type { ContainerDetails, ContainerEngine, ContainerSummary, EngineLine, ImageDetails } from "./types.js";

export class EngineError extends Error {
  override name = "EngineError";
  constructor(
    message: string,
    readonly statusCode: number | null = null,
  ) {
    super(message);
  }
}

export function createDockerEngine(docker: Docker): ContainerEngine {
  return {
    version: () => call(async () => (await docker.version()).Version),
    createContainer: (options) => call(async () => (await docker.createContainer(options)).id),
    startContainer: (id) => call(() => docker.getContainer(id).start()),
    pauseContainer: (id) => call(() => docker.getContainer(id).pause()),
    unpauseContainer: (id) => call(() => docker.getContainer(id).unpause()),
    inspectContainer: (id) =>
      orNull(async () => {
        const info = await docker.getContainer(id).inspect();
        return {
          id: info.Id,
          name: info.Name.replace(/^\//, ""),
          running: info.State.Running,
          paused: info.State.Paused,
          restarting: info.State.Restarting,
          exitCode: info.State.ExitCode,
          restartCount: info.RestartCount,
          ports: (info.NetworkSettings.Ports ?? {}) as ContainerDetails["ports"],
        } satisfies ContainerDetails;
      }),
    stopContainer: (id, timeoutSeconds) =>
      call(async () => {
        try {
          await docker.getContainer(id).stop({ t: timeoutSeconds });
        } catch (e) {
          // 304: already stopped; 404: gone.
          const status = statusOf(e);
          if (status !== 304 && status !== 404) throw e;
        }
      }),
    removeContainer: (idOrName) =>
      call(async () => {
        try {
          await docker.getContainer(idOrName).remove({ force: true, v: true });
        } catch (e) {
          if (statusOf(e) !== 404) throw e;
        }
      }),
    listContainers: (labels) =>
      call(async () =>
        (await docker.listContainers({ all: true, filters: labels?.length ? { label: [...labels] } : undefined })).map(
          (c): ContainerSummary => ({
            id: c.Id,
            name: (c.Names[0] ?? c.Id).replace(/^\//, ""),
            image: c.Image,
            imageId: c.ImageID,
            state: c.State,
            labels: c.Labels ?? {},
            hostPorts: c.Ports.flatMap((p) => (p.PublicPort ? [p.PublicPort] : [])),
          }),
        ),
      ),
    containerLogs: (id, tail) =>
      call(async () => {
        const raw = (await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, tail })) as unknown as Buffer;
        return textLines(demuxDockerLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))));
      }),
    inspectImage: (ref) =>
      orNull(async () => {
        const info = await docker.getImage(ref).inspect();
        return {
          id: info.Id,
          tags: info.RepoTags ?? [],
          sizeBytes: info.Size,
          createdAt: new Date(info.Created).toISOString(),
          labels: info.Config?.Labels ?? {},
        } satisfies ImageDetails;
      }),
    listImages: (labels) =>
      call(async () =>
        (await docker.listImages({ all: false, filters: labels?.length ? { label: [...labels] } : undefined })).map(
          (i): ImageDetails => ({
            id: i.Id,
            tags: (i.RepoTags ?? []).filter((t) => t !== "<none>:<none>"),
            sizeBytes: i.Size,
            createdAt: new Date(i.Created * 1000).toISOString(),
            labels: i.Labels ?? {},
          }),
        ),
      ),
    tagImage: (ref, tag) =>
      call(async () => {
        const colon = tag.lastIndexOf(":");
        const slash = tag.lastIndexOf("/");
        const [repo, tagName] = colon > slash ? [tag.slice(0, colon), tag.slice(colon + 1)] : [tag, "latest"];
        await docker.getImage(ref).tag({ repo, tag: tagName });
      }),
    removeImage: (ref, options) => call(async () => void (await docker.getImage(ref).remove({ force: options?.force ?? false }))),
    build: (context, spec, onLine) =>
      call(async () => {
        const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
          t: spec.tag,
          labels: { ...spec.labels },
          rm: true,
          forcerm: true,
        });
        await followDocker(stream, (m) => {
          if (m.stream) for (const line of textLines(m.stream)) onLine(line);
        });
      }),
    pull: (ref, onLine) =>
      call(async () => {
        const stream = await docker.pull(ref);
        let last = "";
        await followDocker(stream, (m) => {
          // Progress bars change many times a second; their status lines are enough.
          const line = [m.id, m.status].filter(Boolean).join(": ");
          if (m.status && !m.progress && line !== last) onLine(line);
          last = line;
        });
      }),
    load: (tar: Readable) =>
      call(async () => {
        const loaded: string[] = [];
        const stream = (await docker.loadImage(tar as unknown as NodeJS.ReadableStream)) as NodeJS.ReadableStream;
        await followDocker(stream, (m) => {
          const match = /^Loaded image(?: ID)?: (\S+)/.exec(m.stream?.trim() ?? "");
          if (match?.[1]) loaded.push(match[1]);
        });
        return loaded;
      }),
    save: (ref) => call(() => docker.getImage(ref).get()),
  };
}

interface DockerMessage {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
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
      if (error) reject(new EngineError(error));
      else resolve();
    });
  });
}

function statusOf(e: unknown): number | null {
  const status = (e as { statusCode?: unknown })?.statusCode;
  return typeof status === "number" ? status : null;
}

/** Docker's own message for an Engine API error (dockerode puts it in json.message). */
function messageOf(e: unknown): string {
  const err = e as { json?: { message?: unknown }; message?: unknown };
  if (err?.json && typeof err.json.message === "string") return err.json.message;
  return typeof err?.message === "string" ? err.message : String(e);
}

async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError(messageOf(e), statusOf(e));
  }
}

async function orNull<T>(f: () => Promise<T>): Promise<T | null> {
  try {
    return await call(f);
  } catch (e) {
    if (e instanceof EngineError && e.statusCode === 404) return null;
    throw e;
  }
}
