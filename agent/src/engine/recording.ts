// The engine's twin for tests: an in-memory container engine that records every call, in order,
// as data. Containers "publish" a host port the test chooses (a real HTTP server standing in for
// the app), images are plain records, and `save` / `load` move them as JSON.
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { ContainerCreateOptions } from "dockerode";
import { EngineError } from "./docker.js";
import type { BuildSpec, ContainerDetails, ContainerEngine, ContainerSummary, EngineLine, ImageDetails } from "./types.js";

export interface EngineCall {
  op:
    | "version"
    | "createContainer"
    | "startContainer"
    | "pauseContainer"
    | "unpauseContainer"
    | "inspectContainer"
    | "stopContainer"
    | "removeContainer"
    | "listContainers"
    | "containerLogs"
    | "inspectImage"
    | "listImages"
    | "tagImage"
    | "removeImage"
    | "build"
    | "pull"
    | "load"
    | "save";
  /** The container or image the call was about (a name where one was given), or the labels listed. */
  target: string;
}

type FakeImage = Omit<ImageDetails, "tags"> & { tags: string[] };

interface FakeContainer {
  id: string;
  name: string;
  image: string;
  imageId: string;
  labels: Record<string, string>;
  env: string[];
  appPort: number;
  hostPort: number | null;
  state: "created" | "running" | "paused" | "restarting" | "exited";
  exitCode: number;
  restartCount: number;
}

export interface RecordingEngineOptions {
  /** The host port a started container publishes (default: a made-up free one). */
  hostPort?: (name: string) => number;
  /** After start, the container crashes: Docker restarts it `restarts` times; `published` says whether the port stays published. */
  crash?: { restarts: number; published: boolean };
  /** createContainer fails with this Docker message. */
  createError?: string;
  /** What containerLogs answers. */
  logs?: string[];
  /** Images a pull can fetch, by reference. */
  registry?: Record<string, { labels?: Record<string, string> }>;
  /** Lines a build prints. */
  buildOutput?: string[];
}

export class RecordingEngine implements ContainerEngine {
  readonly calls: EngineCall[] = [];
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Map<string, FakeImage>();
  private nextPort = 41000;

  constructor(private readonly opts: RecordingEngineOptions = {}) {}

  /** Calls as "op target" strings, e.g. "createContainer slipway-web-0f8fad5b". */
  ops(filter?: (call: EngineCall) => boolean): string[] {
    return this.calls.filter(filter ?? (() => true)).map((c) => `${c.op} ${c.target}`);
  }

  /** Calls that change something (no inspects or lists). */
  changes(): string[] {
    return this.ops((c) => !/^(inspect|list|version|containerLogs)/.test(c.op));
  }

  /** An image present from the start. */
  addImage(tag: string, labels: Record<string, string> = {}): ImageDetails {
    const image: FakeImage = { id: `sha256:${randomBytes(8).toString("hex")}`, tags: [tag], sizeBytes: 1000, createdAt: new Date().toISOString(), labels };
    this.images.set(image.id, image);
    return image;
  }

  /** A running (or paused) container present from the start. */
  addContainer(spec: { name: string; image: string; labels: Record<string, string>; hostPort: number; paused?: boolean; appPort?: number }): string {
    const id = randomBytes(8).toString("hex");
    const imageId = this.findImage(spec.image)?.id ?? "sha256:unknown";
    this.containers.set(id, { id, name: spec.name, image: spec.image, imageId, labels: spec.labels, env: [], appPort: spec.appPort ?? 8080, hostPort: spec.hostPort, state: spec.paused ? "paused" : "running", exitCode: 0, restartCount: 0 });
    return id;
  }

  private record(op: EngineCall["op"], target: string): void {
    this.calls.push({ op, target });
  }

  private findContainer(idOrName: string): FakeContainer | undefined {
    return this.containers.get(idOrName) ?? [...this.containers.values()].find((c) => c.name === idOrName);
  }

  private findImage(ref: string): FakeImage | undefined {
    return this.images.get(ref) ?? [...this.images.values()].find((i) => i.tags.includes(ref));
  }

  async version(): Promise<string> {
    this.record("version", "");
    return "27.0.0-recording";
  }

  async createContainer(options: ContainerCreateOptions): Promise<string> {
    const name = options.name ?? "";
    this.record("createContainer", name);
    if (this.opts.createError) throw new EngineError(this.opts.createError, 500);
    if (this.findContainer(name)) throw new EngineError(`Conflict. The container name "/${name}" is already in use`, 409);
    const image = this.findImage(options.Image ?? "");
    if (!image) throw new EngineError(`No such image: ${options.Image}`, 404);
    const id = randomBytes(8).toString("hex");
    const appPort = Number(Object.keys(options.ExposedPorts ?? {})[0]?.split("/")[0] ?? 0);
    this.containers.set(id, {
      id, name, image: options.Image!, imageId: image.id, labels: { ...(options.Labels ?? {}) }, env: [...(options.Env ?? [])], appPort, hostPort: null, state: "created", exitCode: 0, restartCount: 0,
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.findContainer(id);
    this.record("startContainer", c?.name ?? id);
    if (!c) throw new EngineError(`No such container: ${id}`, 404);
    const crash = this.opts.crash;
    c.state = crash ? (crash.restarts > 1 ? "running" : "restarting") : "running";
    c.exitCode = crash && crash.restarts <= 1 ? 3 : 0;
    c.restartCount = crash?.restarts ?? 0;
    c.hostPort = crash?.published === false ? null : (this.opts.hostPort?.(c.name) ?? this.nextPort++);
  }

  async pauseContainer(id: string): Promise<void> {
    const c = this.findContainer(id);
    this.record("pauseContainer", c?.name ?? id);
    if (!c || c.state !== "running") throw new EngineError(`Container ${id} is not running`, 409);
    c.state = "paused";
  }

  async unpauseContainer(id: string): Promise<void> {
    const c = this.findContainer(id);
    this.record("unpauseContainer", c?.name ?? id);
    if (!c || c.state !== "paused") throw new EngineError(`Container ${id} is not paused`, 409);
    c.state = "running";
  }

  async inspectContainer(id: string): Promise<ContainerDetails | null> {
    const c = this.findContainer(id);
    this.record("inspectContainer", c?.name ?? id);
    if (!c) return null;
    const key = `${c.appPort}/tcp`;
    return {
      id: c.id,
      name: c.name,
      running: c.state === "running" || c.state === "paused",
      paused: c.state === "paused",
      restarting: c.state === "restarting",
      exitCode: c.exitCode,
      restartCount: c.restartCount,
      ports: c.hostPort === null ? {} : { [key]: [{ HostIp: "127.0.0.1", HostPort: String(c.hostPort) }] },
    };
  }

  async stopContainer(id: string): Promise<void> {
    const c = this.findContainer(id);
    this.record("stopContainer", c?.name ?? id);
    if (c) c.state = "exited";
  }

  async removeContainer(idOrName: string): Promise<void> {
    const c = this.findContainer(idOrName);
    this.record("removeContainer", c?.name ?? idOrName);
    if (c) this.containers.delete(c.id);
  }

  async listContainers(labels: readonly string[] = []): Promise<ContainerSummary[]> {
    this.record("listContainers", labels.join(","));
    return [...this.containers.values()]
      .filter((c) => labels.every((l) => matchesLabel(c.labels, l)))
      .map((c) => ({ id: c.id, name: c.name, image: c.image, imageId: c.imageId, state: c.state, labels: c.labels, hostPorts: c.hostPort === null ? [] : [c.hostPort] }));
  }

  async containerLogs(id: string): Promise<string[]> {
    this.record("containerLogs", this.findContainer(id)?.name ?? id);
    return [...(this.opts.logs ?? [])];
  }

  async inspectImage(ref: string): Promise<ImageDetails | null> {
    this.record("inspectImage", ref);
    const image = this.findImage(ref);
    return image ? { ...image, tags: [...image.tags] } : null;
  }

  async listImages(labels: readonly string[] = []): Promise<ImageDetails[]> {
    this.record("listImages", labels.join(","));
    return [...this.images.values()].filter((i) => i.tags.length > 0 && labels.every((l) => matchesLabel(i.labels, l))).map((i) => ({ ...i, tags: [...i.tags] }));
  }

  async tagImage(ref: string, tag: string): Promise<void> {
    this.record("tagImage", `${ref} ${tag}`);
    const image = this.findImage(ref);
    if (!image) throw new EngineError(`No such image: ${ref}`, 404);
    for (const other of this.images.values()) if (other !== image) other.tags = other.tags.filter((t) => t !== tag);
    if (!image.tags.includes(tag)) image.tags.push(tag);
  }

  async removeImage(ref: string, options?: { force?: boolean }): Promise<void> {
    this.record("removeImage", ref);
    const image = this.findImage(ref);
    if (!image) throw new EngineError(`No such image: ${ref}`, 404);
    if (!options?.force && image.id !== ref && image.tags.length > 1) {
      image.tags = image.tags.filter((t) => t !== ref);
      return;
    }
    this.images.delete(image.id);
  }

  async build(context: Readable, spec: BuildSpec, onLine: EngineLine): Promise<void> {
    this.record("build", spec.tag);
    for await (const chunk of context) void chunk;
    for (const line of this.opts.buildOutput ?? []) onLine(line);
    const existing = this.findImage(spec.tag);
    if (existing) existing.tags = existing.tags.filter((t) => t !== spec.tag);
    this.addImage(spec.tag, { ...spec.labels });
  }

  async pull(ref: string, onLine: EngineLine): Promise<void> {
    this.record("pull", ref);
    const found = this.opts.registry?.[ref];
    if (!found) throw new EngineError(`manifest for ${ref} not found: manifest unknown`, 404);
    onLine(`${ref}: Pulling from registry`);
    if (!this.findImage(ref)) this.addImage(ref, found.labels ?? {});
    onLine(`Status: Downloaded newer image for ${ref}`);
  }

  async load(tar: Readable): Promise<string[]> {
    this.record("load", "");
    const chunks: Buffer[] = [];
    for await (const chunk of tar) chunks.push(Buffer.from(chunk as Uint8Array));
    let saved: ImageDetails[];
    try {
      saved = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ImageDetails[];
    } catch {
      throw new EngineError("unexpected EOF", 500);
    }
    for (const image of saved) this.images.set(image.id, { ...image, tags: [...image.tags] });
    return saved.flatMap((i) => i.tags);
  }

  async save(ref: string): Promise<NodeJS.ReadableStream> {
    this.record("save", ref);
    const image = this.findImage(ref);
    if (!image) throw new EngineError(`No such image: ${ref}`, 404);
    return Readable.from([Buffer.from(JSON.stringify([{ ...image, tags: [ref] }]))]);
  }
}

function matchesLabel(labels: Readonly<Record<string, string>>, filter: string): boolean {
  const eq = filter.indexOf("=");
  return eq < 0 ? filter in labels : labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}
