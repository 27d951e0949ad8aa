// Takeover after kill -9, end to end (issue 10): two replicas of the control plane as separate
// processes (compiled like production, cluster mode on the test PostgreSQL and a redis-server of
// this file's own) deploy to two real lab hosts adopted through the API. The replica running a
// deploy is killed with SIGKILL while both hosts wait for the new release's health check; the
// other replica must end the operation INTERRUPTED within 15 s saying why, keep both hosts on the
// release they ran (also after the new release would have become healthy), record each host's
// outcome, never run the deploy again, and leave the service free for the next deploy. Needs root,
// the lab's packages, PostgreSQL and redis-server; the hosts live in a lab instance of its own.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterLayout, Supervisor, tail, type ClusterLayout } from "@slipway/cluster";
import { buildServer } from "../scripts/build.js";
import { tarGz } from "./fixtures/sources/archives.js";
import { ADMIN, apiClient, login, type ApiClient } from "./harness.js";
import {
  adoptHosts,
  bootHosts,
  containersOn,
  createProjectAndService,
  deployArchive,
  deploymentState,
  follow,
  get,
  labBaseImagesEnv,
  LAB_NETWORK_ENV,
  newLab,
  nodeApp,
  rawId,
  waitServing,
  type AdoptedHost,
  type Started,
} from "./e2e-support.js";
import { startTestRedis, type TestRedis } from "./redis-server.js";
import { freshTestDatabase, type TestDatabase } from "./test-database.js";

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const suffix = randomBytes(3).toString("hex");
const LAB_NAMES = ["a", "b"].map((n) => `takeover-${n}-${suffix}`);
const lab = newLab("srv-takeover");
const booted: string[] = [];
const WEB_HOST = "web.shop.slipway.internal";
const SECRET_KEY = randomBytes(32).toString("base64");
// Shorter than the default 10 s so the file is quick; the issue's bound (15 s) is asserted as is.
const LEASE_SECONDS = 5;
const TAKEOVER_BOUND_MS = 15_000;
// v2 answers its health check only this long after it starts: the replica is killed while both
// hosts wait for it, and the test waits past it to see that no host switches to v2 afterwards.
const V2_HEALTHY_AFTER_MS = 25_000;

interface Replica {
  name: string;
  api: ApiClient & { close(): Promise<void> };
  /** The replica's `instanceId`: the ownerId of the operations it runs. */
  instanceId: string;
}

let redis: TestRedis & { close(): Promise<void> };
let database: TestDatabase;
let dataDir: string;
let supervisor: Supervisor;
let replicas: Replica[] = [];
let hosts: AdoptedHost[];
let addresses: string[];
let serviceId: string;
const unexpectedExits: string[] = [];

beforeAll(async () => {
  // Leftovers of a crashed earlier run of this file (only it uses this instance).
  await lab.teardown();
  dataDir = mkdtempSync(path.join(tmpdir(), "slipway-takeover-"));
  const [{ outdir }, testRedis, testDatabase] = await Promise.all([
    // Its own build folder: other files rebuild dist/ while these replicas run.
    buildServer({ outdir: path.join(serverDir, "test", "dist", "cluster-takeover") }),
    startTestRedis(),
    freshTestDatabase(dataDir, "postgresql"),
  ]);
  redis = testRedis;
  database = testDatabase;
  const layout = clusterLayout(dataDir);
  mkdirSync(layout.logDir, { recursive: true, mode: 0o700 });
  supervisor = new Supervisor(layout, (p, code, signal) => unexpectedExits.push(`${p.spec.name} exited (${signal ?? `status ${code}`}):\n${tail(p.logPath)}`));
  replicas = await Promise.all([1, 2].map((n) => startReplica(layout, path.join(outdir, "main.js"), n)));

  // The control plane's key, as the console shows it before an adoption; any replica has the same.
  const keys = await Promise.all(replicas.map(async (r) => (await r.api.gql(`{ sshPublicKey }`, {}, r.api.adminToken)).data?.sshPublicKey as string));
  expect(keys[0]).toMatch(/^ssh-ed25519 /);
  expect(keys[1]).toBe(keys[0]);
  const bootedAddresses = await bootHosts(lab, LAB_NAMES, keys[0]!, booted);
  hosts = await adoptHosts(replicas[0]!.api, LAB_NAMES.map((labName, i) => ({ lab: labName, name: `web-${i + 1}`, address: bootedAddresses[i]! })));
  addresses = hosts.map((h) => h.address);
  const created = await createProjectAndService(replicas[0]!.api, "shop", [{ name: "web", port: 3000, healthCheckPath: "/health", healthCheckTimeoutSeconds: 120 }]);
  serviceId = created.services.web!;
}, 300_000);

afterAll(async () => {
  await Promise.allSettled(replicas.map((r) => r.api.close()));
  await supervisor?.stopAll([]);
  await Promise.allSettled([lab.teardown(), redis?.close(), database?.drop()]);
  rmSync(dataDir, { recursive: true, force: true });
}, 180_000);

/** Starts replica n (compiled, cluster mode) and waits for its start line: address and instance id. */
async function startReplica(layout: ClusterLayout, main: string, n: number): Promise<Replica> {
  const name = `replica-${n}`;
  const child = supervisor.start({
    name,
    argv: [process.execPath, "--enable-source-maps", main],
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: database.url,
      SLIPWAY_REDIS_URL: redis.url,
      SLIPWAY_SECRET_KEY: SECRET_KEY,
      SLIPWAY_DATA_DIR: layout.replicaDir(n),
      SLIPWAY_ADMIN_EMAIL: ADMIN.email,
      SLIPWAY_ADMIN_PASSWORD: ADMIN.password,
      SLIPWAY_OPERATION_LEASE_SECONDS: String(LEASE_SECONDS),
      SLIPWAY_SHUTDOWN_GRACE_SECONDS: "1",
      SLIPWAY_LOG_LEVEL: "info",
      ...LAB_NETWORK_ENV,
      ...labBaseImagesEnv(lab),
    },
    stopSignal: "SIGTERM",
    stopTimeoutMs: 20_000,
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const started = readFileSync(child.logPath, "utf8")
      .split("\n")
      .flatMap((line) => (line.startsWith("{") ? [JSON.parse(line) as { url?: string; instanceId?: string }] : []))
      .find((entry) => entry.url && entry.instanceId);
    if (started) {
      const api = apiClient(started.url!);
      api.adminToken = await login(api, ADMIN.email, ADMIN.password);
      return { name, api, instanceId: started.instanceId! };
    }
    if (child.hasExited() || Date.now() > deadline) throw new Error(`${name} did not start:\n${tail(child.logPath)}`);
    await sleep(100);
  }
}

const serverIds = () => hosts.map((h) => h.id);

async function deployed(api: ApiClient, version: string, options: { healthyAfterMs?: number } = {}): Promise<NonNullable<Started["data"]>> {
  const started = await deployArchive(api, serviceId, tarGz(nodeApp(version, { listenAfterMs: options.healthyAfterMs })), `web-${version}.tar.gz`, serverIds());
  expect(started.__typename, JSON.stringify(started)).toBe("MutationDeploySuccess");
  return started.data!;
}

interface OperationView {
  status: string;
  error: string | null;
  finishedAt: string | null;
  events: { seq: number; step: string; level: string; message: string; createdAt: string }[];
}

async function operation(api: ApiClient, id: string): Promise<OperationView> {
  const result = await api.gql(
    `query($id: ID!) { node(id: $id) { ... on Operation { status error finishedAt events(first: 500) { seq step level message createdAt } } } }`,
    { id },
    api.adminToken,
  );
  if (!result.data?.node) throw new Error(`operation ${id}: ${JSON.stringify(result)}`);
  return result.data.node as OperationView;
}

/** Polls until `probe` answers something. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (unexpectedExits.length > 0) throw new Error(`waiting for ${what}: ${unexpectedExits.join("\n")}`);
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Which replica holds an operation's lease, from its row (the API does not show owners). */
async function ownerOf(operationId: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ ownerId: string | null }>(`SELECT "ownerId" FROM "Operation" WHERE id = $1`, [rawId(operationId)]);
    return rows[0]?.ownerId ?? null;
  } finally {
    await client.end();
  }
}

/** The containers of one deployment on a host that are running. */
async function runningContainersOf(host: string, imageTag: string): Promise<string[]> {
  return (await containersOn(lab, host)).filter((line) => line.includes(imageTag) && / running /.test(line));
}

describe("a replica killed with SIGKILL mid-deploy", { timeout: 240_000 }, () => {
  let v1: NonNullable<Started["data"]>;
  let v2: NonNullable<Started["data"]>;
  let survivor: Replica;
  let killedAt: number;
  let v2StartingSeenAt: number;

  it("deploys v1 to both hosts", async () => {
    v1 = await deployed(replicas[0]!.api, "v1");
    const events = await follow(replicas[0]!.api, v1.operation.id);
    expect(events.at(-1), JSON.stringify(events.slice(-5))).toMatchObject({ step: "finished", message: "Succeeded" });
    expect(await waitServing(addresses, WEB_HOST, /^version=v1 /m)).toHaveLength(2);
  });

  it("is noticed by the other replica, which ends the deploy INTERRUPTED within 15 s, saying why", async () => {
    v2 = await deployed(replicas[1]!.api, "v2", { healthyAfterMs: V2_HEALTHY_AFTER_MS });
    // Mid-release: both hosts have started v2 and wait for its health check.
    await waitFor(
      "v2 starting on both hosts",
      async () => {
        const deployment = await deploymentState(replicas[1]!.api, v2.deployment.id);
        if (!["QUEUED", "BUILDING", "DEPLOYING"].includes(deployment.status)) throw new Error(`v2 ended before the kill: ${JSON.stringify(deployment)}`);
        return deployment.targets.length === 2 && deployment.targets.every((t) => t.state === "STARTING") ? true : undefined;
      },
      180_000,
    );
    v2StartingSeenAt = Date.now();
    const ownerId = await ownerOf(v2.operation.id);
    const victim = replicas.find((r) => r.instanceId === ownerId);
    expect(victim, `owner ${ownerId} is one of ${replicas.map((r) => r.instanceId).join(", ")}`).toBeDefined();
    survivor = replicas.find((r) => r !== victim)!;

    killedAt = Date.now();
    await supervisor.kill(victim!.name, "SIGKILL");
    await victim!.api.close();
    replicas = [survivor];

    const ended = await waitFor(
      "the end of v2's operation",
      async () => {
        const view = await operation(survivor.api, v2.operation.id);
        return view.status === "RUNNING" ? undefined : view;
      },
      120_000,
    );
    const recovered = ended.events.find((e) => e.step === "recover" && e.level === "WARN" && /stopped answering/.test(e.message));
    const noticedMs = recovered ? Date.parse(recovered.createdAt) - killedAt : Number.NaN;
    const interruptedMs = Date.parse(ended.finishedAt ?? "") - killedAt;
    console.log(
      `takeover after SIGKILL of ${victim!.name}: noticed after ${(noticedMs / 1000).toFixed(1)} s, INTERRUPTED after ${(interruptedMs / 1000).toFixed(1)} s (lease ${LEASE_SECONDS} s, bound ${TAKEOVER_BOUND_MS / 1000} s)`,
    );
    expect(ended.status, JSON.stringify(ended.events.slice(-8))).toBe("INTERRUPTED");
    expect(recovered, JSON.stringify(ended.events.slice(-8))).toBeDefined();
    expect(ended.error).toMatch(/replica running this operation stopped/);
    expect(ended.events.at(-1)).toMatchObject({ step: "finished", level: "ERROR", message: expect.stringMatching(/^Interrupted: /) });
    // The issue's bound (a correctness requirement, not a speed figure).
    expect(interruptedMs).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
  });

  it("leaves both hosts on v1, each host's outcome recorded, also once v2 would have been healthy", async () => {
    const deployment = await deploymentState(survivor.api, v2.deployment.id);
    expect(deployment.status).toBe("INTERRUPTED");
    expect(deployment.error).toMatch(/replica running this deployment stopped/);
    // Neither host had switched: each ends failed, saying it still runs its previous release.
    expect(deployment.targets.map((t) => t.state)).toEqual(["FAILED", "FAILED"]);
    for (const target of deployment.targets) expect(target.error).toMatch(/interrupted before this server switched/);
    expect(await waitServing(addresses, WEB_HOST, /^version=v1 /m)).toHaveLength(2);

    // The hosts' agents were left waiting for v2's health check when its replica died.
    await sleep(Math.max(0, v2StartingSeenAt + V2_HEALTHY_AFTER_MS + 8_000 - Date.now()));
    for (const address of addresses) expect((await get(address, WEB_HOST)).body).toMatch(/^version=v1 /m);
    for (const host of LAB_NAMES) expect(await runningContainersOf(host, v2.deployment.imageTag)).toEqual([]);
  });

  it("does not lock the service: v3 deploys through the surviving replica, and v2 is never run again", async () => {
    const v3 = await deployed(survivor.api, "v3");
    const events = await follow(survivor.api, v3.operation.id);
    expect(events.at(-1), JSON.stringify(events.slice(-5))).toMatchObject({ step: "finished", message: "Succeeded" });
    expect(await waitServing(addresses, WEB_HOST, /^version=v3 /m)).toHaveLength(2);

    const after = await operation(survivor.api, v2.operation.id);
    expect(after.status).toBe("INTERRUPTED");
    expect(after.events.at(-1)).toMatchObject({ step: "finished", message: expect.stringMatching(/^Interrupted: /) });
    const deploys = await survivor.api.gql(`{ operations(first: 20, kind: DEPLOY) { edges { node { id status } } } }`, {}, survivor.api.adminToken);
    const statuses = Object.fromEntries((deploys.data.operations.edges as { node: { id: string; status: string } }[]).map((e) => [e.node.id, e.node.status]));
    expect(statuses).toEqual({ [v1.operation.id]: "SUCCEEDED", [v2.operation.id]: "INTERRUPTED", [v3.operation.id]: "SUCCEEDED" });
    expect(unexpectedExits).toEqual([]);
  });
});
