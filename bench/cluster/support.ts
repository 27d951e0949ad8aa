// What the cluster benchmarks share: a real cluster from `@slipway/cluster` (private PostgreSQL
// and Redis, compiled replicas, no console, free ports, a temp data directory removed at the end),
// or one compiled process on SQLite; the bench-only operation started over the replicas' control
// endpoint; subscribers over graphql-ws; percentiles. They print figures and assert nothing.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { createClient, type Client } from "graphql-ws";
import { request } from "undici";
import WebSocket from "ws";
import { findPrograms, freeClusterPorts, startCluster, type Cluster } from "../../cluster/src/index.js";
import { buildServer } from "../../server/scripts/build.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ADMIN = { email: "bench@example.test", password: "correct-horse-battery-staple" };

export interface Replica {
  name: string;
  port: number;
  url: string;
  wsUrl: string;
}

export interface BenchTarget {
  replicas: Replica[];
  token: string;
  /** Starts the bench operation (through replica `via`'s control endpoint); any replica may run it. Returns its global id. */
  emitEvents(input: EmitEvents, via?: number): Promise<string>;
  cluster?: Cluster;
  close(): Promise<void>;
}

/** Builds the bench replica (the product plus the bench-only operation) like production. */
export async function buildBenchReplica(): Promise<string> {
  const { outdir } = await buildServer({
    entryPoints: { replica: path.join(repoRoot, "bench", "cluster", "replica.ts") },
    outdir: path.join(repoRoot, "bench", "dist", "cluster"),
  });
  return path.join(outdir, "replica.js");
}

/**
 * A cluster of `replicas` compiled replicas on PostgreSQL + Redis. `product` runs the product's
 * own build (server/dist/main.js) instead of the bench replica (no bench operation then).
 */
export async function startBenchCluster(
  replicas: number,
  options: { product?: boolean; env?: Record<string, string>; /** e.g. --cpu-prof, to see where a figure's time goes */ nodeArgs?: string[] } = {},
): Promise<BenchTarget> {
  const serverMain = options.product ? path.join((await buildServer()).outdir, "main.js") : await buildBenchReplica();
  const dataDir = mkdtempSync(path.join(tmpdir(), "slipway-bench-cluster-"));
  const ports = await freeClusterPorts(replicas, replicas);
  const close = onExit(async () => {
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  let cluster: Cluster | undefined;
  try {
    cluster = await startCluster(
      { ...ports, dataDir, host: "127.0.0.1", console: false, replicas },
      {
        programs: { ...findPrograms(repoRoot), serverMain },
        progress: (line) => console.log(`  starting ${line}`),
        replicaSpec: (spec, n) => ({
          ...spec,
          argv: [spec.argv[0]!, ...(options.nodeArgs ?? []), ...spec.argv.slice(1)],
          env: { ...spec.env, ...benchEnv(ports.extra[n - 1]!), ...options.env },
        }),
      },
    );
  } catch (error) {
    await close();
    throw error;
  }
  const list = cluster.replicaUrls.map((url, i) => replica(`replica-${i + 1}`, url));
  return {
    replicas: list,
    token: await login(list[0]!.url),
    emitEvents: (input, via = 0) => emitEvents(ports.extra[via]!, input),
    cluster,
    close,
  };
}

/** One compiled bench replica on SQLite, everything in process (no Redis): the embedded default. */
export async function startSingleProcess(options: { product?: boolean } = {}): Promise<BenchTarget & { child: ChildProcess }> {
  const main = options.product ? path.join((await buildServer()).outdir, "main.js") : await buildBenchReplica();
  const dataDir = mkdtempSync(path.join(tmpdir(), "slipway-bench-single-"));
  const ports = await freeClusterPorts(1, 1);
  const child = spawn(process.execPath, ["--enable-source-maps", main], {
    env: { ...process.env, PORT: String(ports.replicaPort), HOST: "127.0.0.1", SLIPWAY_DATA_DIR: dataDir, ...benchEnv(ports.extra[0]!) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const close = onExit(async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  const only = replica("single", `http://127.0.0.1:${ports.replicaPort}/graphql`);
  const deadline = Date.now() + 120_000;
  while (!(await login(only.url).then(() => true, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error("the single process did not start");
    }
    await sleep(250);
  }
  return { replicas: [only], token: await login(only.url), emitEvents: (input) => emitEvents(ports.extra[0]!, input), child, close };
}

function benchEnv(controlPort: number): Record<string, string> {
  return {
    SLIPWAY_ADMIN_EMAIL: ADMIN.email,
    SLIPWAY_ADMIN_PASSWORD: ADMIN.password,
    SLIPWAY_BENCH_CONTROL_PORT: String(controlPort),
    SLIPWAY_LOG_LEVEL: process.env.SLIPWAY_LOG_LEVEL ?? "warn",
  };
}

function replica(name: string, url: string): Replica {
  return { name, port: Number(new URL(url).port), url, wsUrl: url.replace(/^http/, "ws") };
}

/** Runs `close` once: when called, or on Ctrl-C. */
function onExit(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  const once = () => (closing ??= close());
  process.once("SIGINT", () => void once().then(() => process.exit(130)));
  return once;
}

async function login(url: string): Promise<string> {
  const response = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: "mutation($input: LoginInput!) { login(input: $input) { ... on MutationLoginSuccess { data { token } } } }",
      variables: { input: ADMIN },
    }),
  });
  const body = (await response.body.json()) as { data?: { login?: { data?: { token: string } } } };
  const token = body.data?.login?.data?.token;
  if (!token) throw new Error(`login failed: ${JSON.stringify(body)}`);
  return token;
}

/** The bench operation's input: `count` events every `intervalMs`, the first after `startAfterMs`. */
export interface EmitEvents {
  count: number;
  intervalMs: number;
  startAfterMs?: number;
}

async function emitEvents(controlPort: number, input: EmitEvents): Promise<string> {
  const response = await request(`http://127.0.0.1:${controlPort}/`, { method: "POST", body: JSON.stringify(input) });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`could not start the bench operation: ${text}`);
  const { operationId } = JSON.parse(text) as { operationId: string };
  return Buffer.from(`Operation:${operationId}`).toString("base64");
}

export interface ReceivedEvent {
  seq: number;
  step: string;
  message: string;
  /** Date.now() when it arrived. */
  receivedAt: number;
}

export interface Subscriber {
  client: Client;
  events: ReceivedEvent[];
  /** Resolves when the stream completes (the operation ended), rejects on an error. */
  done: Promise<ReceivedEvent[]>;
}

/** Follows an operation's events over a WebSocket of its own. */
export function subscribe(replica: Replica, token: string, operationId: string, onEvent?: (event: ReceivedEvent) => void): Subscriber {
  const client = createClient({ url: replica.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true });
  const events: ReceivedEvent[] = [];
  const done = new Promise<ReceivedEvent[]>((resolve, reject) => {
    client.subscribe<{ operationEvents: { seq: number; step: string; message: string } }>(
      { query: "subscription($id: ID!) { operationEvents(operationId: $id) { seq step message } }", variables: { id: operationId } },
      {
        next: (value) => {
          if (!value.data) return reject(new Error(JSON.stringify(value.errors)));
          const event = { ...value.data.operationEvents, receivedAt: Date.now() };
          events.push(event);
          onEvent?.(event);
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => resolve(events),
      },
    );
  });
  return { client, events, done };
}

/** The p-th percentile (0-100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function summary(values: readonly number[]): string {
  return `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms, max ${percentile(values, 100).toFixed(1)} ms (n=${values.length})`;
}

/** An operation's status, asked of one replica. */
export async function operationStatus(replica: Replica, token: string, operationId: string): Promise<string> {
  const response = await request(replica.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: "query($id: ID!) { node(id: $id) { ... on Operation { status } } }", variables: { id: operationId } }),
  });
  const body = (await response.body.json()) as { data?: { node?: { status: string } } };
  return body.data?.node?.status ?? "UNKNOWN";
}

/** VmRSS and VmHWM of a process, in MB. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  let status = "";
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    // gone: NaN below
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rss: field("VmRSS"), peak: field("VmHWM") };
}
