// `npm run cluster` as a person runs it: started from the repository's root on free ports, used
// through nginx (a query, the first admin's setup with the printed token, an operation followed
// over graphql-ws from sockets that land on different replicas), stopped with Ctrl-C, after which
// nothing it started is left running. Real PostgreSQL, Redis, nginx, replicas and console.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "graphql-ws";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { canListen, freeClusterPorts, type ClusterPorts } from "../src/ports.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

let dataDir: string;
let ports: ClusterPorts;
let launcher: ChildProcess;
let output = "";
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
let running = false;
let recorded: { name: string; pid: number }[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "slipway-cluster-test-"));
  ports = await freeClusterPorts(3);
  // Its own process group, like a terminal's foreground job: Ctrl-C is a SIGINT to the group.
  launcher = spawn(
    "npm",
    [
      "run", "cluster", "--",
      "--data-dir", dataDir,
      "--host", "127.0.0.1",
      "--port", String(ports.port),
      "--console-port", String(ports.consolePort),
      "--replica-port", String(ports.replicaPort),
      "--postgres-port", String(ports.postgresPort),
      "--redis-port", String(ports.redisPort),
    ],
    { cwd: repoRoot, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, SLIPWAY_LOG_LEVEL: "warn" } },
  );
  launcher.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  launcher.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  running = true;
  // "close", not "exit": it comes after the last output (exit may come first), and only once
  // nothing holds the launcher's stdout any more.
  exited = new Promise((resolve) =>
    launcher.once("close", (code, signal) => {
      running = false;
      resolve({ code, signal });
    }),
  );
  await Promise.race([
    until(() => output.includes("Ctrl-C stops all of it.")),
    exited.then(({ code, signal }) => {
      throw new Error(`npm run cluster exited (${signal ?? code}) before it was ready:\n${output}`);
    }),
  ]);
  recorded = JSON.parse(readFileSync(path.join(dataDir, "processes.json"), "utf8"));
});

afterAll(async () => {
  // Only when a test failed before the cluster was stopped: nothing may outlive the suite.
  if (running) {
    process.kill(-launcher.pid!, "SIGINT");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 90_000))]);
  }
  for (const { pid } of recorded) if (alive(pid)) process.kill(pid, "SIGKILL");
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("npm run cluster", () => {
  it("prints what it started, with a setup token", () => {
    expect(output).toContain(`API (nginx, load-balanced)  http://localhost:${ports.port}/graphql`);
    expect(output).toContain(`console                     http://localhost:${ports.consolePort}`);
    expect(output).toContain(`Slipway cluster is running. Data: ${dataDir}`);
    expect(recorded.map((p) => p.name)).toEqual(["postgres", "redis", "replica-1", "replica-2", "replica-3", "nginx", "console"]);
  });

  it("answers through nginx: setup, a query, and an operation's events over WebSocket from every replica", async () => {
    const api = `http://127.0.0.1:${ports.port}/graphql`;
    const setupToken = /one-time setup token:\s+(\S+)/.exec(output)?.[1];
    expect(setupToken).toMatch(/^slwsetup_/);

    const setup = await gql(api, `mutation($input: CompleteSetupInput!) { completeSetup(input: $input) { __typename ... on MutationCompleteSetupSuccess { data { token } } } }`, {
      input: { setupToken, email: "admin@example.test", name: "Admin", password: "correct-horse-battery-staple" },
    });
    const token = setup.completeSetup.data.token as string;
    expect((await gql(api, "{ viewer { email } }", {}, token)).viewer.email).toBe("admin@example.test");

    const project = await gql(api, `mutation { createProject(input: { name: "shop" }) { ... on MutationCreateProjectSuccess { data { id } } } }`, {}, token);
    const service = await gql(api, `mutation($p: ID!) { createService(input: { projectId: $p, name: "web" }) { ... on MutationCreateServiceSuccess { data { id } } } }`, { p: project.createProject.data.id }, token);
    const cleanup = await gql(api, `mutation($s: ID!) { cleanupImages(serviceId: $s) { ... on MutationCleanupImagesSuccess { data { id } } } }`, { s: service.createService.data.id }, token);
    const operationId = cleanup.cleanupImages.data.id as string;

    // Three sockets through nginx: round robin puts them on different replicas, whichever runs the operation.
    const streams = await Promise.all([1, 2, 3].map(() => follow(`ws://127.0.0.1:${ports.port}/graphql`, token, operationId)));
    for (const events of streams) {
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.at(-1)).toMatchObject({ step: "finished", message: "Succeeded" });
    }
    expect(streams[1]).toEqual(streams[0]);
    expect(streams[2]).toEqual(streams[0]);

    // No sticky sessions: nginx spread these requests over more than one replica.
    const upstreams = new Set(readFileSync(path.join(dataDir, "logs", "nginx-access.log"), "utf8").match(/127\.0\.0\.1:\d+(?= )/g));
    expect(upstreams.size).toBeGreaterThan(1);
  });

  it("stops all of it on Ctrl-C, and leaves nothing running", async () => {
    process.kill(-launcher.pid!, "SIGINT");
    // npm passes the Ctrl-C on, waits for the cluster to stop, then ends the way a Ctrl-C ends a program.
    expect([{ code: 0, signal: null }, { code: null, signal: "SIGINT" }, { code: 130, signal: null }]).toContainEqual(await exited);
    expect(output).toContain(`stopped; the data stays in ${dataDir}`);
    for (const { name, pid } of recorded) expect(alive(pid), `${name} (pid ${pid})`).toBe(false);
    expect(processesMentioning(dataDir)).toEqual([]);
    for (const port of [ports.port, ports.consolePort, ports.replicaPort, ports.replicaPort + 1, ports.replicaPort + 2, ports.postgresPort, ports.redisPort]) {
      expect(await canListen("127.0.0.1", port), `port ${port}`).toBe(true);
    }
  });
});

async function gql(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<any> {
  const response = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.body.json()) as { data?: any; errors?: unknown };
  if (response.statusCode !== 200 || body.errors) throw new Error(`${response.statusCode} ${JSON.stringify(body)}`);
  return body.data;
}

function follow(url: string, token: string, operationId: string): Promise<{ seq: number; step: string; message: string }[]> {
  const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  const events: { seq: number; step: string; message: string }[] = [];
  return new Promise((resolve, reject) => {
    client.subscribe<{ operationEvents: { seq: number; step: string; message: string } }>(
      { query: "subscription($id: ID!) { operationEvents(operationId: $id) { seq step message } }", variables: { id: operationId } },
      {
        next: (value) => (value.data ? events.push(value.data.operationEvents) : reject(new Error(JSON.stringify(value.errors)))),
        error: reject,
        complete: () => resolve(events),
      },
    );
  }).finally(() => client.dispose()) as Promise<typeof events>;
}

async function until(condition: () => boolean, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs / 1000} s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function alive(pid: number): boolean {
  try {
    // A zombie has no command line: it is gone for every purpose here.
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").length > 0;
  } catch {
    return false;
  }
}

/** Command lines of running processes that name the data directory (PostgreSQL's -D, nginx's -p, ...). */
function processesMentioning(text: string): string[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
        return cmdline.includes(text) && Number(pid) !== process.pid ? [`${pid}: ${cmdline}`] : [];
      } catch {
        return [];
      }
    });
}
