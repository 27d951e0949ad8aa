// The agent's HTTP API, as zod schemas shared by the agent (which validates every request) and
// the control plane (which builds requests and parses answers). Versioned under /v1.
//
// Transport: the agent listens on the server's loopback only; the control plane reaches it through
// an SSH tunnel and sends `Authorization: Bearer <agent token>` on every request.
// Streaming endpoints answer `application/x-ndjson`: one AgentStreamLine per line, the last one
// being a `result` (or an `error`).
import { z } from "zod";
import { ServiceName } from "./service-name.js";
import { ReleaseState } from "./release-states.js";

export * from "./release-states.js";

export const AGENT_API_PREFIX = "/v1";
export const DEFAULT_AGENT_PORT = 7420;

// ------------------------------------------------------------------ shared value rules

export { ServiceName } from "./service-name.js";

/** Hostnames only (RFC 1123 labels), so a domain can never inject nginx configuration. */
export const Hostname = z
  .string()
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, "must be a hostname");

export const EnvKey = z.string().max(256).regex(/^[A-Za-z_][A-Za-z0-9_]*$/);
export const ImageRef = z.string().min(1).max(512).regex(/^[a-z0-9][a-z0-9._\/:@-]*$/, "must be an image reference");
export const HealthPath = z.string().max(512).regex(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%\/?]*$/);

/** Labels Slipway puts on every image and container it makes; cleanup touches nothing else. */
export const LABELS = {
  managed: "dev.slipway.managed",
  service: "dev.slipway.service",
  deployment: "dev.slipway.deployment",
} as const;

// ------------------------------------------------------------------ streaming

/**
 * A streaming answer says something at least this often (a `heartbeat` line when there is nothing
 * else), so the control plane can tell a quiet step from a lost server.
 */
export const STREAM_HEARTBEAT_MS = 1_000;
/** No line for this long: the control plane gives the server up as lost. */
export const STREAM_SILENCE_LIMIT_MS = 7_000;

export const AgentStreamLine = z.discriminatedUnion("type", [
  /** A release moved to a new state (see release-states.ts); `at` is the agent's clock. */
  z.object({ type: z.literal("state"), state: ReleaseState, message: z.string(), at: z.string() }),
  z.object({ type: z.literal("log"), step: z.string(), line: z.string() }),
  z.object({ type: z.literal("heartbeat") }),
  z.object({ type: z.literal("result"), result: z.unknown() }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type AgentStreamLine = z.infer<typeof AgentStreamLine>;

export const AgentError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type AgentError = z.infer<typeof AgentError>;

// ------------------------------------------------------------------ GET /v1/health

export const HealthResponse = z.object({
  version: z.string(),
  uptimeSeconds: z.number(),
  docker: z.object({ ok: z.boolean(), version: z.string().nullable(), error: z.string().nullable() }),
  nginx: z.object({ ok: z.boolean(), error: z.string().nullable() }),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

// ------------------------------------------------------------------ images

/** POST /v1/images/build?tag=&service=&deployment= — body: a tar build context. Streams; result: ImageSummary. */
export const BuildQuery = z.object({ tag: ImageRef, service: ServiceName, deployment: z.string().uuid() });

/**
 * POST /v1/images/pull — streams; result: ImageSummary (the image tagged `tag` and recorded as
 * Slipway's). `missing` pulls only when the reference is not on the server yet; `always` pulls.
 */
export const PullPolicy = z.enum(["missing", "always"]);
export const PullRequest = z.object({
  image: ImageRef,
  tag: ImageRef,
  service: ServiceName,
  deployment: z.string().uuid(),
  policy: PullPolicy.default("missing"),
});

/**
 * POST /v1/images/load?service=&deployment= — body: a `docker save` tar. Streams; result:
 * LoadResult. The loaded tags are recorded as Slipway's (for the service and deployment given).
 */
export const LoadQuery = z.object({ service: ServiceName, deployment: z.string().uuid() });
export const LoadResult = z.object({ loaded: z.array(z.string()) });

/** GET /v1/images/export?tag= — answers a `docker save` tar of one tag. */
export const ExportQuery = z.object({ tag: ImageRef });

export const ImageSummary = z.object({
  id: z.string(),
  tags: z.array(z.string()),
  sizeBytes: z.number(),
  createdAt: z.string(),
  service: z.string().nullable(),
  deployment: z.string().nullable(),
  inUse: z.boolean(),
});
export type ImageSummary = z.infer<typeof ImageSummary>;

/** GET /v1/images?service= — only images Slipway labelled. */
export const ImageList = z.object({ images: z.array(ImageSummary) });

/** POST /v1/images/remove — removes labelled images only; refuses one a container uses. */
export const RemoveImagesRequest = z.object({ ids: z.array(z.string()).max(500) });
export const RemoveImagesResult = z.object({
  removed: z.array(z.string()),
  reclaimedBytes: z.number(),
  refused: z.array(z.object({ id: z.string(), reason: z.string() })),
});

// ------------------------------------------------------------------ releases (deploy and rollback)

/** Defaults of a release's timing settings (the service's settings override them). */
export const RELEASE_DEFAULTS = {
  healthCheckTimeoutSeconds: 30,
  healthCheckIntervalMs: 200,
  drainTimeoutSeconds: 30,
  standbySeconds: 600,
} as const;

export const ReleaseRequest = z.object({
  service: ServiceName,
  deployment: z.string().uuid(),
  image: ImageRef,
  /** The port the app listens on inside its container. */
  port: z.number().int().min(1).max(65535),
  env: z.record(EnvKey, z.string().max(32 * 1024)),
  healthCheck: z.object({
    path: HealthPath,
    /** The new container is thrown away if it does not pass within this. */
    timeoutSeconds: z.number().int().min(1).max(600),
    /** Pause between checks once the first quick ones (25, 50, 100 ms) failed. */
    intervalMs: z.number().int().min(25).max(60_000).default(RELEASE_DEFAULTS.healthCheckIntervalMs),
  }),
  /** Host names nginx routes to this service; empty means only the service's default host. */
  domains: z.array(Hostname).max(100),
  /** TLS material per domain set, already validated by the control plane. */
  tls: z.object({ certificatePem: z.string().max(64 * 1024), privateKeyPem: z.string().max(64 * 1024) }).nullable().optional(),
  /**
   * After the switch, the old container runs until nginx's old workers finished their in-flight
   * requests, but no longer than this; then it is stopped.
   */
  drainTimeoutSeconds: z.number().int().min(0).max(3600).default(RELEASE_DEFAULTS.drainTimeoutSeconds),
  /**
   * The container that served before is paused, not removed, for this long: a rollback to it
   * resumes it at once instead of starting a new container. 0 removes it straight away.
   */
  standbySeconds: z.number().int().min(0).max(86_400).default(RELEASE_DEFAULTS.standbySeconds),
  /**
   * A rollback releases an earlier deployment's image and config again: that deployment's
   * container, if kept as the standby, is resumed for it.
   */
  resumes: z.string().uuid().optional(),
});
export type ReleaseRequest = z.infer<typeof ReleaseRequest>;
export type ReleaseRequestInput = z.input<typeof ReleaseRequest>;

/**
 * POST /v1/releases — streams `state` lines; result: ReleaseResult. `state` is where the release
 * ended (stopped or switched: it serves; failed: nothing changed).
 */
export const ReleaseResult = z.object({
  state: ReleaseState,
  containerId: z.string().nullable(),
  previousContainerId: z.string().nullable(),
  error: z.string().nullable(),
});
export type ReleaseResult = z.infer<typeof ReleaseResult>;

/**
 * POST /v1/releases/give-up — the control plane replica that took an interrupted deploy over tells
 * the agent to give its release up here: one still before its switch stops as if its caller had
 * gone (its new container removed, the previous one keeps serving), and unless the deployment
 * serves here, a release of it that arrives later is refused for a while. Answers once the releases it stopped have
 * ended (at most GIVE_UP_WAIT_MS), with what the server does now:
 * - `gave_up`: a release of it was running here and stopped before its switch;
 * - `nothing_in_flight`: no release of it was running here, and it does not serve here;
 * - `switched`: it serves here (it switched before, or was past its health check): put it back.
 */
export const GiveUpRequest = z.object({ service: ServiceName, deployment: z.string().uuid() });
export type GiveUpRequest = z.infer<typeof GiveUpRequest>;
export const GiveUpOutcome = z.enum(["gave_up", "nothing_in_flight", "switched"]);
export const GiveUpResult = z.object({ outcome: GiveUpOutcome });
export type GiveUpResult = z.infer<typeof GiveUpResult>;
export const GIVE_UP_WAIT_MS = 20_000;

/** GET /v1/services/:service — what runs now. */
export const ServiceStatus = z.object({
  service: ServiceName,
  containerId: z.string().nullable(),
  image: z.string().nullable(),
  deployment: z.string().nullable(),
  running: z.boolean(),
  hostPort: z.number().nullable(),
});
export type ServiceStatus = z.infer<typeof ServiceStatus>;

/** GET /v1/services — every service nginx routes on this server (what it runs, as the agent sees it). */
export const ServiceStatusList = z.object({ services: z.array(ServiceStatus) });

// ------------------------------------------------------------------ metrics

/** GET /v1/stats */
export const StatsResponse = z.object({
  cpuPercent: z.number(),
  memoryUsedBytes: z.number(),
  memoryTotalBytes: z.number(),
  containers: z.array(z.object({ service: z.string(), containerId: z.string(), cpuPercent: z.number(), memoryBytes: z.number() })),
});

// ------------------------------------------------------------------ logs (added by the agent)

/**
 * GET /v1/services/:service/logs?tail= — streams the last lines of the service's current
 * container as `log` lines (step "logs"); result: { lines: number }.
 */
export const LogsQuery = z.object({ tail: z.coerce.number().int().min(1).max(5000).default(200) });
export const LogsResult = z.object({ lines: z.number() });

// ------------------------------------------------------------------ metrics collection, retiring a service

export * from "./metrics.js";
