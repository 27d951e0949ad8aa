import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import {
  DEFAULT_ARCHIVE_LIMITS, DEFAULT_BASE_IMAGES, DEFAULT_GIT_TIMEOUT_MS, type ArchiveLimits, type BaseImages,
} from "./domain/sources/defaults.js";
import { imageReference } from "./domain/validation.js";
import { parseTrustedProxies, type TrustedProxies } from "./graphql/client-address.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default("0.0.0.0"),
  SLIPWAY_DATA_DIR: z.string().default(path.join(repoRoot, "data")),
  DATABASE_URL: z.string().regex(/^(file:|postgres(ql)?:\/\/)/, "must start with file: (SQLite) or postgresql:// (PostgreSQL)").optional(),
  SLIPWAY_SECRET_KEY: z.string().optional(),
  SLIPWAY_ADMIN_EMAIL: z.string().optional(),
  SLIPWAY_ADMIN_PASSWORD: z.string().optional(),
  SLIPWAY_ADMIN_NAME: z.string().default("Administrator"),
  SLIPWAY_CONSOLE_URL: z.string().url().default("http://localhost:3000"),
  // Browser origins allowed to call the API besides the console's (comma-separated).
  SLIPWAY_CORS_ORIGINS: z.string().default(""),
  // Proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For names the client.
  SLIPWAY_TRUSTED_PROXIES: z.string().default(""),
  // Lets adoptServer and git sources reach loopback, link-local and private addresses (the lab, tests).
  SLIPWAY_ALLOW_PRIVATE_TARGETS: z.enum(["", "0", "1", "false", "true"]).default(""),
  SLIPWAY_DIGITALOCEAN_API_URL: z.string().url().default("https://api.digitalocean.com"),
  SLIPWAY_CLOUDFLARE_API_URL: z.string().url().default("https://api.cloudflare.com/client/v4"),
  SLIPWAY_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SLIPWAY_OPERATION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  // Cluster mode (several replicas): Redis for the queue, live events and schedules.
  SLIPWAY_REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL").optional(),
  SLIPWAY_OPERATION_LEASE_SECONDS: z.coerce.number().min(1).max(600).default(10),
  SLIPWAY_SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  // Metrics (server/src/domain/metrics) and autoscaling (server/src/domain/autoscaling).
  SLIPWAY_METRICS_INTERVAL_SECONDS: z.coerce.number().min(1).max(3600).default(15),
  SLIPWAY_METRICS_RAW_RETENTION_HOURS: z.coerce.number().min(0.1).max(168).default(6),
  SLIPWAY_METRICS_MINUTE_RETENTION_DAYS: z.coerce.number().min(1).max(366).default(7),
  SLIPWAY_AUTOSCALE_INTERVAL_SECONDS: z.coerce.number().min(1).max(3600).default(15),
  SLIPWAY_AUTOSCALE_DNS_DRAIN_SECONDS: z.coerce.number().min(0).max(3600).default(60),
  // Deploy sources (server/src/domain/sources). Insecure git (git://, http:// on loopback only) is for the lab and tests.
  SLIPWAY_ALLOW_INSECURE_GIT: z.enum(["", "0", "1", "false", "true"]).default(""),
  SLIPWAY_SOURCES_TMPDIR: z.string().optional(),
  SLIPWAY_GIT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).optional(),
  SLIPWAY_ARCHIVE_MAX_BYTES: z.coerce.number().int().min(1).optional(),
  SLIPWAY_ARCHIVE_MAX_UNPACKED_BYTES: z.coerce.number().int().min(1).optional(),
  SLIPWAY_ARCHIVE_MAX_ENTRIES: z.coerce.number().int().min(1).optional(),
  SLIPWAY_ARCHIVE_MAX_PATH_BYTES: z.coerce.number().int().min(1).max(4096).optional(),
  SLIPWAY_BASE_IMAGES: z.string().optional(),
  SLIPWAY_BASE_IMAGE_NODE: imageReference.optional(),
  SLIPWAY_BASE_IMAGE_PYTHON: imageReference.optional(),
  SLIPWAY_BASE_IMAGE_GO: imageReference.optional(),
  SLIPWAY_BASE_IMAGE_GO_RUNTIME: imageReference.optional(),
  SLIPWAY_BASE_IMAGE_STATIC: imageReference.optional(),
});

const BaseImagesJson = z.object({
  node: imageReference, python: imageReference, go: imageReference, goRuntime: imageReference, static: imageReference,
}).partial().strict();

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  secretKey: string | undefined;
  initialAdmin: { email: string; password: string; name: string } | undefined;
  consoleUrl: string;
  /** Origins (scheme://host:port) a browser may call the API from: the console's and SLIPWAY_CORS_ORIGINS. */
  corsOrigins: string[];
  /** Peers whose X-Forwarded-For is believed (SLIPWAY_TRUSTED_PROXIES); nobody's by default. */
  trustedProxies: TrustedProxies;
  /**
   * The default of the admin setting that lets adoptServer and git sources reach loopback,
   * link-local and private addresses (domain/settings); off unless SLIPWAY_ALLOW_PRIVATE_TARGETS=1.
   */
  allowPrivateTargets: boolean;
  digitalOceanApiUrl: string;
  cloudflareApiUrl: string;
  logLevel: z.infer<typeof EnvSchema>["SLIPWAY_LOG_LEVEL"];
  operationConcurrency: number;
  /** Set: cluster mode (BullMQ queue, Redis event bus, BullMQ schedules). Unset: everything in process. */
  redisUrl: string | undefined;
  /** How long an operation's owner may go silent before another replica takes it over. */
  operationLeaseMs: number;
  /** On SIGTERM: how long running operations may finish before they are handed over. */
  shutdownGraceMs: number;
  metrics: {
    /** How often every server's agent is asked for its figures. */
    intervalMs: number;
    /** How long each collection's rows are kept; one-minute roll-ups are kept `minuteRetentionMs`. */
    rawRetentionMs: number;
    minuteRetentionMs: number;
  };
  autoscale: {
    /** How often every enabled policy is evaluated. */
    intervalMs: number;
    /** Scale in: how long a server keeps serving after its DNS records are gone (TTL, clients' caches). */
    dnsDrainMs: number;
  };
  /** Lets git sources use git:// and http:// URLs on loopback; for the lab and tests only. */
  allowInsecureGitTransports: boolean;
  /** Where uploads are unpacked and repositories fetched; each gets its own fresh folder. */
  sourcesTempDir: string;
  gitTimeoutMs: number;
  archiveLimits: ArchiveLimits;
  /** Images generated Dockerfiles start from; SLIPWAY_BASE_IMAGES (JSON) then SLIPWAY_BASE_IMAGE_* override. */
  baseImages: BaseImages;
}

/** A setting is missing, malformed or contradicts another: the message says which and how to fix it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(`Invalid configuration: ${message}`);
    this.name = "ConfigError";
  }
}

/** Reads the control plane's configuration from environment variables, once, at start. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.SLIPWAY_DATA_DIR);
  if ((e.SLIPWAY_ADMIN_EMAIL === undefined) !== (e.SLIPWAY_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError("set both SLIPWAY_ADMIN_EMAIL and SLIPWAY_ADMIN_PASSWORD, or neither");
  }
  const databaseUrl = e.DATABASE_URL ?? `file:${path.join(dataDir, "slipway.db")}`;
  if (e.SLIPWAY_REDIS_URL) {
    // Replicas share state only through PostgreSQL and Redis, and must all decrypt the same secrets.
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
      throw new ConfigError("cluster mode (SLIPWAY_REDIS_URL) needs PostgreSQL: set DATABASE_URL=postgresql://… (SQLite is one process's file)");
    }
    if (!e.SLIPWAY_SECRET_KEY) {
      throw new ConfigError("cluster mode (SLIPWAY_REDIS_URL) needs SLIPWAY_SECRET_KEY, the same on every replica (32 bytes, base64 or hex)");
    }
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl,
    secretKey: e.SLIPWAY_SECRET_KEY,
    initialAdmin:
      e.SLIPWAY_ADMIN_EMAIL && e.SLIPWAY_ADMIN_PASSWORD
        ? { email: e.SLIPWAY_ADMIN_EMAIL, password: e.SLIPWAY_ADMIN_PASSWORD, name: e.SLIPWAY_ADMIN_NAME }
        : undefined,
    consoleUrl: e.SLIPWAY_CONSOLE_URL,
    corsOrigins: corsOrigins(e.SLIPWAY_CONSOLE_URL, e.SLIPWAY_CORS_ORIGINS),
    trustedProxies: trustedProxies(e.SLIPWAY_TRUSTED_PROXIES),
    allowPrivateTargets: e.SLIPWAY_ALLOW_PRIVATE_TARGETS === "1" || e.SLIPWAY_ALLOW_PRIVATE_TARGETS === "true",
    digitalOceanApiUrl: e.SLIPWAY_DIGITALOCEAN_API_URL.replace(/\/$/, ""),
    cloudflareApiUrl: e.SLIPWAY_CLOUDFLARE_API_URL.replace(/\/$/, ""),
    logLevel: e.SLIPWAY_LOG_LEVEL,
    operationConcurrency: e.SLIPWAY_OPERATION_CONCURRENCY,
    redisUrl: e.SLIPWAY_REDIS_URL,
    operationLeaseMs: e.SLIPWAY_OPERATION_LEASE_SECONDS * 1000,
    shutdownGraceMs: e.SLIPWAY_SHUTDOWN_GRACE_SECONDS * 1000,
    metrics: {
      intervalMs: e.SLIPWAY_METRICS_INTERVAL_SECONDS * 1000,
      rawRetentionMs: e.SLIPWAY_METRICS_RAW_RETENTION_HOURS * 3_600_000,
      minuteRetentionMs: e.SLIPWAY_METRICS_MINUTE_RETENTION_DAYS * 86_400_000,
    },
    autoscale: {
      intervalMs: e.SLIPWAY_AUTOSCALE_INTERVAL_SECONDS * 1000,
      dnsDrainMs: e.SLIPWAY_AUTOSCALE_DNS_DRAIN_SECONDS * 1000,
    },
    allowInsecureGitTransports: e.SLIPWAY_ALLOW_INSECURE_GIT === "1" || e.SLIPWAY_ALLOW_INSECURE_GIT === "true",
    sourcesTempDir: path.resolve(e.SLIPWAY_SOURCES_TMPDIR ?? os.tmpdir()),
    gitTimeoutMs: e.SLIPWAY_GIT_TIMEOUT_SECONDS ? e.SLIPWAY_GIT_TIMEOUT_SECONDS * 1000 : DEFAULT_GIT_TIMEOUT_MS,
    archiveLimits: {
      maxCompressedBytes: e.SLIPWAY_ARCHIVE_MAX_BYTES ?? DEFAULT_ARCHIVE_LIMITS.maxCompressedBytes,
      maxUncompressedBytes: e.SLIPWAY_ARCHIVE_MAX_UNPACKED_BYTES ?? DEFAULT_ARCHIVE_LIMITS.maxUncompressedBytes,
      maxEntries: e.SLIPWAY_ARCHIVE_MAX_ENTRIES ?? DEFAULT_ARCHIVE_LIMITS.maxEntries,
      maxPathBytes: e.SLIPWAY_ARCHIVE_MAX_PATH_BYTES ?? DEFAULT_ARCHIVE_LIMITS.maxPathBytes,
    },
    baseImages: {
      ...DEFAULT_BASE_IMAGES,
      ...parseBaseImagesJson(e.SLIPWAY_BASE_IMAGES),
      ...definedOnly({
        node: e.SLIPWAY_BASE_IMAGE_NODE,
        python: e.SLIPWAY_BASE_IMAGE_PYTHON,
        go: e.SLIPWAY_BASE_IMAGE_GO,
        goRuntime: e.SLIPWAY_BASE_IMAGE_GO_RUNTIME,
        static: e.SLIPWAY_BASE_IMAGE_STATIC,
      }),
    },
  };
}

function trustedProxies(value: string): TrustedProxies {
  try {
    return parseTrustedProxies(value);
  } catch (error) {
    throw new ConfigError(`SLIPWAY_TRUSTED_PROXIES: ${(error as Error).message}`);
  }
}

function corsOrigins(consoleUrl: string, extra: string): string[] {
  const origins = [consoleUrl, ...extra.split(",").map((o) => o.trim()).filter(Boolean)].map((value) => {
    try {
      return new URL(value).origin;
    } catch {
      throw new Error(`Invalid configuration: SLIPWAY_CORS_ORIGINS: ${value} is not a URL`);
    }
  });
  return [...new Set(origins)];
}

function parseBaseImagesJson(json: string | undefined): Partial<BaseImages> {
  if (!json) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError("SLIPWAY_BASE_IMAGES must be a JSON object");
  }
  const parsed = BaseImagesJson.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new ConfigError(`SLIPWAY_BASE_IMAGES: ${problems}`);
  }
  return definedOnly(parsed.data);
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
