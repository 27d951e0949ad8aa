// What every benchmark needs: a real control plane (in-process, SQLite in a temp dir), lab hosts
// named `bench-*` adopted through the API, a registry on the lab bridge with a few tiny web
// images, and timing helpers. Benchmarks print figures; they assert nothing.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { startTestServer, type TestServer } from "../server/test/harness.js";
import {
  adoptHosts,
  bootHosts,
  createProjectAndService,
  deploySource,
  follow,
  get,
  labBaseImagesEnv,
  LAB_NETWORK_ENV,
  labRegistry,
  newLab,
  pushTestImage,
  type AdoptedHost,
  type Event,
  type Registry,
} from "../server/test/e2e-support.js";

const run = promisify(execFile);

export interface Bench {
  server: TestServer;
  lab: ReturnType<typeof newLab>;
  hosts: AdoptedHost[];
  registry: Registry;
  dataDir: string;
  /** Registry references of tiny busybox web images answering `<body>` on port 7000. */
  images: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Boots `count` hosts in the bench's own lab instance, adopts them and pushes one image per body
 * (tag = key) to the instance's registry. close() (and SIGINT) tears the instance down.
 */
export async function setUp(name: string, count: number, bodies: Record<string, string>): Promise<Bench> {
  const suffix = randomBytes(3).toString("hex");
  const dataDir = mkdtempSync(path.join(tmpdir(), `slipway-bench-${name}-`));
  const lab = newLab(`bench-${name}`);
  const booted: string[] = [];
  let server: TestServer | null = null;
  const close = async () => {
    await server?.stop().catch(() => undefined);
    await lab.teardown().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void close().then(() => process.exit(130)));
  try {
    await lab.teardown();
    server = await startTestServer({ ...labBaseImagesEnv(lab), ...LAB_NETWORK_ENV }, dataDir);
    const labNames = Array.from({ length: count }, (_, i) => `bench-${name}-${i + 1}-${suffix}`);
    const addresses = await bootHosts(lab, labNames, server.app.deps.connections.identity().publicKey, booted);
    const registry = await labRegistry(lab);
    const hosts = await adoptHosts(server, labNames.map((labName, i) => ({ lab: labName, name: `bench-${i + 1}`, address: addresses[i]! })));
    const images: Record<string, string> = {};
    for (const [tag, body] of Object.entries(bodies)) {
      images[tag] = `${registry.address}/bench/web:${tag}`;
      await pushTestImage(lab, labNames[0]!, images[tag]!, {
        Dockerfile: `FROM slipway-lab/busybox:latest\nRUN mkdir /www && echo ${JSON.stringify(body)} > /www/index.html\nCMD ["httpd", "-f", "-p", "7000", "-h", "/www"]\n`,
      });
    }
    return { server, lab, hosts, registry, dataDir, images, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function createService(bench: Bench, project: string, service: string): Promise<string> {
  const created = await createProjectAndService(bench.server, project, [{ name: service, port: 7000 }]);
  return created.services[service]!;
}

export type TimedEvent = Event & { at: number };

/** Follows an operation, stamping each event with its arrival time; resolves once it finished. */
export async function timed(bench: Bench, operationId: string): Promise<TimedEvent[]> {
  const events: TimedEvent[] = [];
  await follow(bench.server, operationId, (event) => void events.push({ ...event, at: performance.now() }));
  const last = events.at(-1);
  if (last?.step !== "finished") throw new Error(`operation did not finish: ${JSON.stringify(last)}`);
  return events;
}

/** Starts an IMAGE deploy; `done` resolves with its timed events once it finished. */
export async function deployImage(bench: Bench, serviceId: string, image: string, hosts = bench.hosts): Promise<{ deploymentId: string; done: Promise<TimedEvent[]> }> {
  const started = await deploySource(bench.server, serviceId, { type: "IMAGE", image }, hosts.map((h) => h.id));
  if (started.__typename !== "MutationDeploySuccess") throw new Error(`deploy: ${JSON.stringify(started)}`);
  return { deploymentId: started.data!.deployment.id, done: timed(bench, started.data!.operation.id) };
}

/** Polls nginx on each address (every 10 ms) until all answer 200 with the body; returns when. */
export async function untilServed(addresses: string[], hostHeader: string, body: string, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  const pending = new Set(addresses);
  while (pending.size > 0) {
    await Promise.all(
      [...pending].map(async (address) => {
        const answer = await get(address, hostHeader, "/", 2_000).catch(() => null);
        if (answer?.status === 200 && answer.body.trim() === body) pending.delete(address);
      }),
    );
    if (pending.size === 0) break;
    if (performance.now() > deadline) throw new Error(`not served by ${[...pending].join(", ")} within ${timeoutMs} ms`);
    await sleep(10);
  }
  return performance.now();
}

/** Runs a command on a host over SSH as root with the control plane's key, reusing one master connection. */
export function sshTo(bench: Bench, host: AdoptedHost) {
  const control = path.join(bench.dataDir, `ssh-${host.name}.sock`);
  // The control plane keeps its key in its database: ssh(1) needs it in a file of its own.
  const key = path.join(bench.dataDir, "control-plane-key");
  if (!existsSync(key)) writeFileSync(key, bench.server.app.deps.connections.identity().privateKey, { mode: 0o600 });
  const base = [
    "-i", key,
    "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
    "-o", `ControlPath=${control}`,
  ];
  return {
    /** Opens the shared connection (like Slipway's pooled one, already open when a deploy starts). */
    async open(): Promise<void> {
      await run("/usr/bin/ssh", [...base, "-o", "ControlMaster=yes", "-o", "ControlPersist=300", "-f", "-N", `root@${host.address}`]);
    },
    async exec(command: string, input?: string): Promise<string> {
      return new Promise((resolve, reject) => {
        const child = execFile("/usr/bin/ssh", [...base, `root@${host.address}`, command], { timeout: 120_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${command}: ${stderr || error.message}`)) : resolve(stdout),
        );
        child.stdin!.end(input ?? "");
      });
    },
    async close(): Promise<void> {
      await run("/usr/bin/ssh", [...base, "-O", "exit", `root@${host.address}`]).catch(() => undefined);
    },
  };
}

export function ms(from: number, to: number): string {
  return `${Math.round(to - from)} ms`;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Where a deploy's time went: the time from the first event to each step's first event. */
export function timeline(events: TimedEvent[]): string {
  if (events.length === 0) return "";
  const t0 = events[0]!.at;
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const e of events) {
    // A release's states are steps of their own here: where its time went.
    const step = e.releaseState ? `${e.step}:${e.releaseState.toLowerCase()}` : e.step;
    if (e.level === "DEBUG" || seen.has(step)) continue;
    seen.add(step);
    parts.push(`${step}+${Math.round(e.at - t0)}`);
  }
  return parts.join(" ");
}

export { performance };
