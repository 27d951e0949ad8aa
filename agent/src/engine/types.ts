// The one way the agent talks to the container engine: a narrow interface over the Docker Engine
// API, in the agent's own terms. `createDockerEngine` is the real one (dockerode on the socket);
// `RecordingEngine` is its twin for tests (an in-memory engine that records every call).
import type { Readable } from "node:stream";
import type { ContainerCreateOptions } from "dockerode";

export interface ContainerSummary {
  id: string;
  /** Without Docker's leading "/". */
  name: string;
  image: string;
  imageId: string;
  /** "running", "paused", "exited", "created", "restarting", ... */
  state: string;
  labels: Readonly<Record<string, string>>;
  /** Host ports the container publishes. */
  hostPorts: readonly number[];
}

export interface ContainerDetails {
  id: string;
  name: string;
  running: boolean;
  paused: boolean;
  restarting: boolean;
  exitCode: number;
  restartCount: number;
  /** "<port>/tcp" -> host bindings, as `docker inspect` reports them (empty for an exited container). */
  ports: Readonly<Record<string, ReadonlyArray<{ HostIp?: string; HostPort?: string }> | null | undefined>>;
}

export interface ImageDetails {
  id: string;
  tags: readonly string[];
  sizeBytes: number;
  /** ISO 8601. */
  createdAt: string;
  labels: Readonly<Record<string, string>>;
}

/** `docker build` of a tar context: the tag and labels the image gets. */
export interface BuildSpec {
  tag: string;
  labels: Readonly<Record<string, string>>;
}

export type EngineLine = (line: string) => void;

export interface ContainerEngine {
  version(): Promise<string>;
  /** Answers the new container's id. */
  createContainer(options: ContainerCreateOptions): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** null when there is no such container. */
  inspectContainer(id: string): Promise<ContainerDetails | null>;
  /** Freezes every process of a running container (it keeps its memory and its port). */
  pauseContainer(id: string): Promise<void>;
  unpauseContainer(id: string): Promise<void>;
  /** SIGTERM, SIGKILL after `timeoutSeconds`; no error when it is stopped or gone already. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  /** Forced (a running one is killed), with its anonymous volumes; no error when it is gone. */
  removeContainer(idOrName: string): Promise<void>;
  /** Every container (any state) carrying all the labels given ("key=value" or "key"). */
  listContainers(labels?: readonly string[]): Promise<ContainerSummary[]>;
  /** The last `tail` lines of stdout and stderr. */
  containerLogs(id: string, tail: number): Promise<string[]>;
  /** null when there is no such image. */
  inspectImage(ref: string): Promise<ImageDetails | null>;
  /** Tagged images carrying all the labels given; every tagged image without labels. */
  listImages(labels?: readonly string[]): Promise<ImageDetails[]>;
  tagImage(ref: string, tag: string): Promise<void>;
  /** Without force only the reference goes (an image with other tags stays). */
  removeImage(ref: string, options?: { force?: boolean }): Promise<void>;
  /** Builds from a tar context; every output line goes to `onLine`; rejects with Docker's error. */
  build(context: Readable, spec: BuildSpec, onLine: EngineLine): Promise<void>;
  /** Status lines (not the progress bars) go to `onLine`. */
  pull(ref: string, onLine: EngineLine): Promise<void>;
  /** Loads a `docker save` tar; answers what Docker says it loaded (tags, or ids of untagged ones). */
  load(tar: Readable): Promise<string[]>;
  /** A `docker save` tar of one image. */
  save(ref: string): Promise<NodeJS.ReadableStream>;
}
