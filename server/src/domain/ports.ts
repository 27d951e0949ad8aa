// The edges of the domain: every interface `Deps` names. The domain imports these and never the
// other way round; app.ts picks the implementations (in-process or Redis, SSH or a recording
// gateway in tests).
import type { Readable } from "node:stream";
import type {
  AgentStreamLine, GiveUpResult, HealthResponse, ImageSummary, MetricsRequest, MetricsResponse, PullPolicy, ReleaseRequestInput, ReleaseResult, RetireResult,
  ServiceStatus,
} from "@slipway/agent/protocol";
import type { z } from "zod";
import type { EventLevel, Prisma, ReleaseState } from "../generated/prisma/client.js";
import type { DigitalOceanClientOptions } from "../integrations/digitalocean/client.js";
import type { Server } from "../generated/prisma/client.js";
import type { AgentClient } from "../integrations/agent-client/agent-client.js";
import type { SshConnection } from "../integrations/ssh/connection.js";
import type { SshIdentity } from "../integrations/ssh/identity.js";

// ------------------------------------------------------------------ operations

export interface EventInput {
  step: string;
  message: string;
  level?: EventLevel;
  /** 0..1 for the step on its server. */
  progress?: number | null;
  serverId?: string | null;
  /** A deployment's state on that server, when the event moved it. */
  releaseState?: ReleaseState | null;
}

/** What a running operation's code gets: a way to report progress, never a way to leak secrets. */
export interface OperationContext {
  operationId: string;
  emit(event: EventInput): Promise<void>;
  /** Every later event has this value replaced by "[redacted]". */
  redact(secret: string): void;
  /** The text with every value given to `redact` replaced: for errors stored outside events. */
  scrub(text: string): string;
  /** Aborted when the operation is cancelled or this replica lost its lease: stop at the next safe point. */
  signal: AbortSignal;
  /**
   * Runs database writes in one transaction that first checks (and locks) this replica's lease on
   * the operation: a replica that lost it writes nothing (LeaseLostError), so a stale owner can
   * never overwrite the replica that took over.
   */
  fenced<T>(write: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T>;
}

// ------------------------------------------------------------------ servers

export type LineSink = (line: AgentStreamLine) => void | Promise<void>;

export interface RemovedImages {
  removed: string[];
  reclaimedBytes: number;
  refused: { id: string; reason: string }[];
}

/**
 * A server stopped answering during a call (or could not be reached at all): what it did
 * meanwhile is unknown. Any other error is an answer from the server itself.
 */
export class ServerUnreachableError extends Error {
  override name = "ServerUnreachableError";
  constructor(
    readonly serverId: string,
    message: string,
  ) {
    super(message);
  }
}

/** An image of one deployment, as it is copied between servers. */
export interface DeploymentImage {
  tag: string;
  service: string;
  deployment: string;
}

/**
 * What deployments need from a server, by server id. The real implementation speaks the agent
 * protocol through SSH; tests of orchestration use a recording one. A call that loses the server
 * rejects with ServerUnreachableError.
 */
export interface ServerGateway {
  buildImage(serverId: string, context: Readable, query: { tag: string; service: string; deployment: string }, onLine: LineSink): Promise<ImageSummary>;
  pullImage(
    serverId: string,
    request: { image: string; tag: string; service: string; deployment: string; policy?: z.infer<typeof PullPolicy> },
    onLine: LineSink,
  ): Promise<ImageSummary>;
  /** Streams one image from a server that has it into another, without rebuilding. */
  copyImage(image: DeploymentImage, fromServerId: string, toServerId: string): Promise<void>;
  listImages(serverId: string, service: string): Promise<ImageSummary[]>;
  removeImages(serverId: string, ids: string[]): Promise<RemovedImages>;
  release(serverId: string, request: ReleaseRequestInput, onLine: LineSink): Promise<ReleaseResult>;
  /** Stops the deployment's release on the server before its switch, and refuses it later (its deploy was interrupted). */
  giveUpRelease(serverId: string, service: string, deploymentId: string): Promise<GiveUpResult>;
  serviceStatus(serverId: string, service: string): Promise<ServiceStatus>;
  /** The server's counters and what nginx logged since the cursors (metrics collection). */
  metrics(serverId: string, request: MetricsRequest): Promise<MetricsResponse>;
  /** Stops serving a service on the server: its nginx site goes, in-flight requests finish, its containers stop. */
  retireService(serverId: string, service: string, drainSeconds: number): Promise<RetireResult>;
  /** What the server's agent says it runs, for every service it routes. */
  listServices(serverId: string): Promise<ServiceStatus[]>;
}

/** The control plane's way to its servers: pinned SSH connections and agent clients through them. */
export interface ServerConnections {
  /** The control plane's own SSH key pair (the public half goes into authorized_keys). */
  identity(): SshIdentity;
  ssh(server: Pick<Server, "id" | "publicIpv4" | "sshPort" | "sshUser" | "hostKeyFingerprint">): Promise<SshConnection>;
  agent(server: Server): AgentClient;
  /** Closes the server's connections; the next use reconnects (and checks the host key again). */
  forget(serverId: string): void;
  close(): Promise<void>;
}

// ------------------------------------------------------------------ deploy sources

/** Build contexts of uploaded archives, kept where every replica can read them until the build. */
export interface BuildContextStore {
  put(deploymentId: string, context: Readable): Promise<{ bytes: number }>;
  /** Streams a stored context; fails clearly when there is none. */
  open(deploymentId: string): Promise<Readable>;
  delete(deploymentId: string): Promise<void>;
}

// ------------------------------------------------------------------ background work

/** A unit of background work; the payload must be plain JSON so any queue can carry it. */
export interface Job<P = unknown> {
  name: string;
  payload: P;
  /** Jobs with the same id are one job: enqueueing it again while it waits or runs does nothing. */
  id?: string;
}

export type JobHandler<P = unknown> = (payload: P) => Promise<void>;

/**
 * Runs long work off the request path. Handlers are registered by name at start; `enqueue` only
 * names one, so a queue shared by several replicas (BullMQ) can run it anywhere.
 */
export interface JobQueue {
  register<P>(name: string, handler: JobHandler<P>): void;
  /** Starts taking jobs (after every handler is registered). */
  start(): Promise<void>;
  enqueue<P>(job: Job<P>): Promise<void>;
  /** Whether a job with this id is waiting or running anywhere. */
  has(id: string): Promise<boolean>;
  /** Stops taking jobs and waits up to `graceMs` for the running ones; returns those still running. */
  close(graceMs?: number): Promise<number>;
}

/** A live subscription to one topic: messages arrive in publish order until `close()`. */
export interface TopicSubscription<T> extends AsyncIterable<T> {
  /** Resolves once messages published from now on are sure to arrive (Redis has confirmed the SUBSCRIBE). */
  ready: Promise<void>;
  close(): void;
}

/**
 * Carries live messages between the parts of the control plane (and between replicas). Delivery
 * is best-effort and at-most-once by contract (Redis pub/sub is), so anything durable lives in the
 * database and subscribers reconcile against it.
 */
export interface EventBus {
  publish(topic: string, message: unknown): Promise<void>;
  subscribe<T>(topic: string): TopicSubscription<T>;
  close(): Promise<void>;
}

/** Periodic work. Each run is one slot; cluster-wide, a slot runs once (on whichever replica). */
export interface ScheduledTask {
  name: string;
  everyMs: number;
  /** `dueAt`: when this run's slot was due (ms since the epoch); one slot, one run, on one replica. */
  run(dueAt: number): Promise<void>;
}

export interface Scheduler {
  register(task: ScheduledTask): void;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Time, so that rules about it (leases, cooldowns) can be tested without waiting. */
export interface Clock {
  now(): Date;
}

// ------------------------------------------------------------------ sign-in throttling

/** A key's failed sign-ins: how many, and when (ms since the epoch) the last one was. */
export interface FailureCount {
  count: number;
  lastAt: number;
}

/**
 * Failed sign-in counts, shared by every replica (one guesser meets one allowance whichever replica
 * answers). Keys are opaque (login-guard.ts hashes the account or address in them). A count whose
 * last failure is more than `forgetAfterMs` before `now` is forgotten: the next failure is the first.
 */
export interface SignInFailures {
  /** Counts one failure at `now`, atomically however many replicas add at once; resolves the new count. */
  add(key: string, now: number, forgetAfterMs: number): Promise<number>;
  /** The key's failures as of `now`; undefined when it has none (or they were forgotten). */
  get(key: string, now: number, forgetAfterMs: number): Promise<FailureCount | undefined>;
  clear(key: string): Promise<void>;
}

/** Provider request budgets shared by every replica and operation (defined where the HTTP clients use them). */
export type { RateBudget, RateLimit } from "../integrations/rate-budget.js";

// ------------------------------------------------------------------ provisioning

export interface TemporaryDroplet {
  id: number;
  name: string;
  address: string;
}

/**
 * What provisioning reaches outside itself besides the DigitalOcean API: the agent bring-up over
 * SSH and its timings. app.ts builds the real one; tests and benchmarks replace parts of it.
 */
export interface ProvisioningEnvironment {
  /** Client options besides the token, URL and request budget (polling, retries, rate-limit waits). */
  digitalOcean: Omit<DigitalOceanClientOptions, "token" | "apiUrl" | "rateBudget">;
  /** Connects to a recorded droplet, pins its key, gives its agent its own token, waits for it. */
  bringUpAgent(ctx: OperationContext, serverId: string): Promise<Server>;
  /** Installs the agent on a snapshot's temporary droplet and waits until it answers. */
  installSnapshotAgent(ctx: OperationContext, droplet: TemporaryDroplet): Promise<HealthResponse>;
  /** How long to wait for a droplet's sshd after its create action completed. */
  sshWaitMs: number;
  /** How long a deleted droplet may take to disappear from the API. */
  goneWaitMs: number;
}

export interface RemovedServer {
  id: string;
  name: string;
  publicIpv4: string | null;
}

/** What else must forget a server when it is removed (its DNS records, ...); wired in app.ts. */
export type ServerRemovedHook = (server: RemovedServer) => Promise<void>;
