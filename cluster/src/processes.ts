// Every process a cluster runs, as data: argv, environment, user and how to stop it. Pure; the
// supervisor (supervisor.ts) is the only thing that starts them.
import type { ClusterLayout } from "./layout.js";
import { replicaPorts, type ClusterOptions } from "./options.js";

export interface ProcessSpec {
  name: string;
  argv: readonly string[];
  /** Set over the launcher's own environment. */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** Run as this user (the launcher runs as root); otherwise as whoever started the cluster. */
  user?: string;
  /** How to ask it to stop (PostgreSQL's fast shutdown is SIGINT); SIGKILL follows after stopTimeoutMs. */
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
}

/** Where the programs are: Debian's packages, and this repository's builds. */
export interface Programs {
  /** e.g. /usr/lib/postgresql/15/bin */
  postgresBin: string;
  redisServer: string;
  nginx: string;
  node: string;
  /** The compiled control plane (server/dist/main.js). */
  serverMain: string;
  /** Next.js's CLI and the console's folder (built). */
  nextCli: string;
  consoleDir: string;
}

/** Generated once per data directory. */
export interface ClusterSecrets {
  postgresPassword: string;
  redisPassword: string;
  /** The replicas' SLIPWAY_SECRET_KEY: the same for all of them. */
  secretKey: string;
}

export const POSTGRES_USER = "slipway";
export const POSTGRES_DATABASE = "slipway";

export function databaseUrl(options: Pick<ClusterOptions, "postgresPort">, secrets: ClusterSecrets): string {
  return `postgresql://${POSTGRES_USER}:${secrets.postgresPassword}@127.0.0.1:${options.postgresPort}/${POSTGRES_DATABASE}`;
}

export function redisUrl(options: Pick<ClusterOptions, "redisPort">, secrets: ClusterSecrets): string {
  return `redis://:${secrets.redisPassword}@127.0.0.1:${options.redisPort}`;
}

/** Creates PostgreSQL's data directory in `pgdata`, with a password-protected superuser; run once. */
export function initdbSpec(pgdata: string, layout: ClusterLayout, programs: Programs, user: string | undefined): ProcessSpec {
  return {
    name: "postgres-initdb",
    argv: [
      `${programs.postgresBin}/initdb`,
      "--pgdata", pgdata,
      "--username", POSTGRES_USER,
      "--pwfile", layout.postgres.initPasswordFile,
      "--auth", "scram-sha-256",
      "--encoding", "UTF8",
      "--no-locale",
      "--no-instructions",
    ],
    user,
    stopSignal: "SIGTERM",
    stopTimeoutMs: 5_000,
  };
}

export function postgresSpec(options: ClusterOptions, layout: ClusterLayout, programs: Programs, user: string | undefined): ProcessSpec {
  return {
    name: "postgres",
    argv: [
      `${programs.postgresBin}/postgres`,
      "-D", layout.postgres.pgdata,
      "-p", String(options.postgresPort),
      "-k", layout.postgres.socketDir,
      "-c", "listen_addresses=127.0.0.1",
      "-c", "max_connections=200",
    ],
    user,
    stopSignal: "SIGINT",
    stopTimeoutMs: 30_000,
  };
}

export function redisSpec(layout: ClusterLayout, programs: Programs): ProcessSpec {
  return { name: "redis", argv: [programs.redisServer, layout.redis.config], stopSignal: "SIGTERM", stopTimeoutMs: 15_000 };
}

/** How long a replica may take to stop: its grace period for running operations, then the hand-over. */
export const REPLICA_STOP_TIMEOUT_MS = 60_000;

/** Replica n (1-based): the compiled control plane on its own port, sharing the database, Redis and key. */
export function replicaSpec(n: number, options: ClusterOptions, layout: ClusterLayout, programs: Programs, secrets: ClusterSecrets): ProcessSpec {
  return {
    name: `replica-${n}`,
    argv: [programs.node, "--enable-source-maps", programs.serverMain],
    env: {
      PORT: String(replicaPorts(options)[n - 1]),
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl(options, secrets),
      SLIPWAY_REDIS_URL: redisUrl(options, secrets),
      SLIPWAY_SECRET_KEY: secrets.secretKey,
      SLIPWAY_DATA_DIR: layout.replicaDir(n),
      SLIPWAY_CONSOLE_URL: consoleUrl(options),
      // Replicas listen on loopback behind the cluster's nginx: its X-Forwarded-For names the client
      // (sign-in throttling counts per client address, not one count for everyone behind nginx).
      SLIPWAY_TRUSTED_PROXIES: "127.0.0.1",
    },
    stopSignal: "SIGTERM",
    stopTimeoutMs: REPLICA_STOP_TIMEOUT_MS,
  };
}

export function nginxSpec(layout: ClusterLayout, programs: Programs): ProcessSpec {
  return {
    name: "nginx",
    // -e: even the error log nginx opens before reading its configuration is ours.
    argv: [programs.nginx, "-p", layout.nginx.prefix, "-c", layout.nginx.config, "-e", layout.nginx.errorLog],
    // Fast shutdown: a graceful one would wait for every open subscription.
    stopSignal: "SIGTERM",
    stopTimeoutMs: 10_000,
  };
}

export function consoleSpec(options: ClusterOptions, programs: Programs): ProcessSpec {
  return {
    name: "console",
    argv: [programs.node, programs.nextCli, "start", "--port", String(options.consolePort), "--hostname", options.host],
    cwd: programs.consoleDir,
    env: {
      NEXT_TELEMETRY_DISABLED: "1",
      // The console's browser code finds the API at <its own host>:4000 unless told otherwise.
      ...(options.port === 4000 ? {} : { SLIPWAY_API_URL: `http://localhost:${options.port}/graphql` }),
    },
    stopSignal: "SIGTERM",
    stopTimeoutMs: 10_000,
  };
}

export function apiUrl(options: Pick<ClusterOptions, "port">): string {
  return `http://localhost:${options.port}/graphql`;
}

export function consoleUrl(options: Pick<ClusterOptions, "consolePort">): string {
  return `http://localhost:${options.consolePort}`;
}
