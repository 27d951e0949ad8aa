// Starts a local cluster in order (PostgreSQL, Redis, the replicas, nginx, the console), each once
// the one before answers, and stops it in the reverse order. The processes themselves are
// described in processes.ts and run by the supervisor.
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import pg from "pg";
import { request } from "undici";
import { nginxConfig, redisConfig } from "./configs.js";
import { clusterLayout, type ClusterLayout } from "./layout.js";
import { replicaPorts, type ClusterOptions } from "./options.js";
import { canListen } from "./ports.js";
import {
  apiUrl, consoleSpec, consoleUrl, databaseUrl, initdbSpec, nginxSpec, POSTGRES_DATABASE, postgresSpec, redisSpec, redisUrl, replicaSpec,
  type ClusterSecrets, type ProcessSpec, type Programs,
} from "./processes.js";
import { clusterRequirements, requirementsMessage } from "./requirements.js";
import { osUser, Supervisor, tail, type RunningProcess } from "./supervisor.js";

const POSTGRES_OS_USER = "postgres";
const READY_TIMEOUT_MS = 120_000;

export interface StartOptions {
  programs: Programs;
  /** Replaces a replica's process (benchmarks run a build of their own with extra operations). */
  replicaSpec?: (spec: ProcessSpec, n: number) => ProcessSpec;
  /** Told what happens, one line at a time. */
  progress?: (line: string) => void;
  onUnexpectedExit?: (name: string, how: string, logPath: string) => void;
  /** Aborting it (Ctrl-C during the start) stops what started so far. */
  signal?: AbortSignal;
}

export interface Cluster {
  options: ClusterOptions;
  layout: ClusterLayout;
  /** Through nginx. */
  apiUrl: string;
  consoleUrl: string | undefined;
  replicaUrls: string[];
  databaseUrl: string;
  redisUrl: string;
  secrets: ClusterSecrets;
  /** A one-time setup token when no admin exists yet (any replica's works). */
  setupToken: string | undefined;
  processes(): readonly RunningProcess[];
  /** Sends `signal` to one process now, outside the stop order (a benchmark's SIGKILL of a replica). */
  kill(name: string, signal: NodeJS.Signals): Promise<void>;
  /** Starts a replica killed with kill() again and waits until it answers. */
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions, start: StartOptions): Promise<Cluster> {
  const { programs } = start;
  const progress = start.progress ?? (() => {});
  const problem = requirementsMessage(clusterRequirements(programs, options.console), existsSync);
  if (problem) throw new Error(problem);

  const layout = clusterLayout(options.dataDir);
  prepareDirectories(layout);
  const supervisor = new Supervisor(layout, (p, code, signal) =>
    start.onUnexpectedExit?.(p.spec.name, signal ?? `exit ${code}`, p.logPath),
  );
  const leftovers = await supervisor.stopLeftovers();
  if (leftovers.length) progress(`stopped what an earlier run left running: ${leftovers.join(", ")}`);
  await assertPortsFree(options);

  const secrets = loadOrCreateSecrets(layout);
  const stop = () => supervisor.stopAll([["console"], ["nginx"], replicaPorts(options).map((_, i) => `replica-${i + 1}`), ["redis"], ["postgres"]]);
  const asPostgres = process.getuid?.() === 0 ? POSTGRES_OS_USER : undefined;
  try {
    progress(`PostgreSQL on 127.0.0.1:${options.postgresPort}`);
    if (!existsSync(`${layout.postgres.pgdata}/PG_VERSION`)) await initPostgres(supervisor, layout, programs, secrets, asPostgres);
    const postgres = supervisor.start(postgresSpec(options, layout, programs, asPostgres));
    await until(postgres, () => createDatabase(options, secrets), start.signal);

    progress(`Redis on 127.0.0.1:${options.redisPort}`);
    writeFileSync(layout.redis.config, redisConfig({ port: options.redisPort, dir: layout.redis.dir, password: secrets.redisPassword }), { mode: 0o600 });
    const redis = supervisor.start(redisSpec(layout, programs));
    await until(redis, () => redisAnswers(redisUrl(options, secrets)), start.signal);

    const ports = replicaPorts(options);
    progress(`${ports.length} API replicas on 127.0.0.1:${ports.join(", ")} (they migrate the database in turn)`);
    const replicas = ports.map((_, i) => {
      const spec = replicaSpec(i + 1, options, layout, programs, secrets);
      mkdirSync(layout.replicaDir(i + 1), { recursive: true, mode: 0o700 });
      return supervisor.start(start.replicaSpec ? start.replicaSpec(spec, i + 1) : spec);
    });
    const replicaUrls = ports.map((port) => `http://127.0.0.1:${port}/graphql`);
    await Promise.all(replicas.map((replica, i) => until(replica, () => graphqlAnswers(replicaUrls[i]!), start.signal)));

    progress(`nginx on ${options.host}:${options.port}`);
    writeFileSync(
      layout.nginx.config,
      nginxConfig({
        listen: { host: options.host, port: options.port },
        replicas: ports.map((port) => ({ host: "127.0.0.1", port })),
        pidFile: layout.nginx.pid,
        errorLog: layout.nginx.errorLog,
        accessLog: layout.nginx.accessLog,
        tempDir: layout.nginx.tempDir,
        workerUser: process.getuid?.() === 0 ? { user: "nobody", group: "nogroup" } : undefined,
      }),
    );
    const nginx = supervisor.start(nginxSpec(layout, programs));
    await until(nginx, () => graphqlAnswers(`http://127.0.0.1:${options.port}/graphql`), start.signal);

    if (options.console) {
      progress(`console on ${options.host}:${options.consolePort}`);
      const console = supervisor.start(consoleSpec(options, programs));
      await until(console, () => httpAnswers(`http://127.0.0.1:${options.consolePort}/`), start.signal);
    }

    const killed = new Map<string, ProcessSpec>();
    return {
      options,
      layout,
      apiUrl: apiUrl(options),
      consoleUrl: options.console ? consoleUrl(options) : undefined,
      replicaUrls,
      databaseUrl: databaseUrl(options, secrets),
      redisUrl: redisUrl(options, secrets),
      secrets,
      setupToken: replicas.map((r) => setupTokenIn(r.logPath)).find(Boolean),
      processes: () => supervisor.processes(),
      async kill(name, signal) {
        killed.set(name, await supervisor.kill(name, signal));
      },
      async restart(name) {
        const spec = killed.get(name);
        if (!spec) throw new Error(`${name} was not killed`);
        killed.delete(name);
        const url = replicaUrls[Number(name.replace("replica-", "")) - 1]!;
        await until(supervisor.start(spec), () => graphqlAnswers(url), start.signal);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function prepareDirectories(layout: ClusterLayout): void {
  // Others may pass through (PostgreSQL runs as its own user) but not list; logs hold setup tokens.
  mkdirSync(layout.dataDir, { recursive: true });
  chmodSync(layout.dataDir, 0o711);
  mkdirSync(layout.logDir, { recursive: true, mode: 0o700 });
  mkdirSync(layout.redis.dir, { recursive: true, mode: 0o700 });
  mkdirSync(layout.nginx.tempDir, { recursive: true, mode: 0o700 });
  mkdirSync(layout.postgres.socketDir, { recursive: true, mode: 0o700 });
}

async function initPostgres(supervisor: Supervisor, layout: ClusterLayout, programs: Programs, secrets: ClusterSecrets, user: string | undefined): Promise<void> {
  writeFileSync(layout.postgres.initPasswordFile, `${secrets.postgresPassword}\n`, { mode: 0o600 });
  if (user) {
    const { uid, gid } = osUser(user);
    for (const path of [layout.postgres.root, layout.postgres.socketDir, layout.postgres.initPasswordFile]) chownSync(path, uid, gid);
    chmodSync(layout.postgres.root, 0o700);
  }
  // Into a folder of its own, renamed when complete: an interrupted initdb leaves nothing half-made.
  const partial = `${layout.postgres.pgdata}.partial`;
  rmSync(partial, { recursive: true, force: true });
  try {
    await supervisor.run(initdbSpec(partial, layout, programs, user)).catch((error: Error) => {
      throw new Error(`${error.message}\n(The ${user ?? "current"} user must be able to reach ${layout.postgres.root}: every folder above it needs the x permission for others.)`);
    });
    renameSync(partial, layout.postgres.pgdata);
  } finally {
    rmSync(layout.postgres.initPasswordFile, { force: true });
  }
}

/** Generated on the first start of a data directory and reused after. */
function loadOrCreateSecrets(layout: ClusterLayout): ClusterSecrets {
  if (existsSync(layout.secretsFile)) return JSON.parse(readFileSync(layout.secretsFile, "utf8")) as ClusterSecrets;
  const secrets: ClusterSecrets = {
    postgresPassword: randomBytes(24).toString("hex"),
    redisPassword: randomBytes(24).toString("hex"),
    secretKey: randomBytes(32).toString("base64"),
  };
  writeFileSync(layout.secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

async function assertPortsFree(options: ClusterOptions): Promise<void> {
  const wanted: [string, string, number][] = [
    ["--postgres-port", "127.0.0.1", options.postgresPort],
    ["--redis-port", "127.0.0.1", options.redisPort],
    ...replicaPorts(options).map((port): [string, string, number] => ["--replica-port", "127.0.0.1", port]),
    ["--port", options.host, options.port],
    ...(options.console ? [["--console-port", options.host, options.consolePort] as [string, string, number]] : []),
  ];
  for (const [flag, host, port] of wanted) {
    if (!(await canListen(host, port))) throw new Error(`port ${port} on ${host} is in use: choose another with ${flag}`);
  }
}

/** Polls `ready` until it holds; fails at once when the process exits, with the end of its log. */
async function until(process: RunningProcess, ready: () => Promise<boolean>, signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (process.hasExited()) {
      const { code, signal } = await process.exited;
      throw new Error(`${process.spec.name} stopped at start (${signal ?? `exit ${code}`}); its log (${process.logPath}) ends:\n${tail(process.logPath)}`);
    }
    if (await ready().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${process.spec.name} did not become ready within ${READY_TIMEOUT_MS / 1000} s; its log (${process.logPath}) ends:\n${tail(process.logPath)}`);
}

/** Connects as the cluster's superuser and creates Slipway's database if it is not there yet. */
async function createDatabase(options: ClusterOptions, secrets: ClusterSecrets): Promise<boolean> {
  const url = new URL(databaseUrl(options, secrets));
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [POSTGRES_DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${POSTGRES_DATABASE}`);
    return true;
  } finally {
    await client.end();
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } finally {
    redis.disconnect();
  }
}

async function graphqlAnswers(url: string): Promise<boolean> {
  const response = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ __typename }" }),
    headersTimeout: 2_000,
  });
  const body = await response.body.text();
  return response.statusCode === 200 && body.includes('"Query"');
}

async function httpAnswers(url: string): Promise<boolean> {
  const response = await request(url, { headersTimeout: 5_000 });
  await response.body.dump();
  return response.statusCode < 500;
}

/** The token a replica printed on its first start without an admin (run-server.ts). */
function setupTokenIn(logPath: string): string | undefined {
  try {
    return /one-time setup token:\s+(\S+)/.exec(readFileSync(logPath, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}
