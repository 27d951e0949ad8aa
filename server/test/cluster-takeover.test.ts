// Takeover of a dead or frozen replica, end to end (issue 10): two replicas of the control plane as
// separate processes (compiled like production, cluster mode on the test PostgreSQL and a
// redis-server of this file's own) deploy to two real lab hosts adopted through the API.
// - The replica running a deploy is frozen with SIGSTOP while both hosts wait for the new
//   release's health check: its SSH connections stay open, so the agents cannot tell it is gone
//   (as when its machine is lost). The other replica takes over and tells each agent to give the
//   release up; no host may switch to it later, and once the frozen replica resumes, its stale
//   writes must change nothing.
// - The replica running the next deploy is killed with SIGKILL at the same point; the other replica
//   must end the operation INTERRUPTED within 15 s saying why, keep both hosts on the release they
//   ran (also after the new release would have become healthy), record each host's outcome, never
//   run the deploy again, and leave the service free for the next deploy.
// Needs root, the lab's packages, PostgreSQL and redis-server; the hosts live in a lab instance of
// its own.
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
// The interrupted release answers its health check only this long after it starts: the replica is
// frozen or killed while both hosts wait for it, and the test waits past it to see that no host
// switches to it afterwards. The frozen case is shorter (the file's time): the takeover takes
// about 6 s of it.
const KILLED_HEALTHY_AFTER_MS = 25_000;
const FROZEN_HEALTHY_AFTER_MS = 16_000;

interface Replica {
  name: string;
  api: ApiClient & { close(): Promise<void> };
  /** The replica's `instanceId`: the ownerId of the operations it runs. */
  instanceId: string;
  pid: number;
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
/** A replica stopped with SIGSTOP and not resumed yet (afterAll resumes it so it can be stopped). */
let frozen: Replica | null = null;

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
  if (frozen) signalReplica(frozen, "SIGCONT");
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
      return { name, api, instanceId: started.instanceId!, pid: child.pid };
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

/** The containers of one deployment on a host, in any state (or only those running). */
async function containersOf(host: string, imageTag: string, only?: "running"): Promise<string[]> {
  return (await containersOn(lab, host)).filter((line) => line.includes(imageTag) && (!only || / running /.test(line)));
}

/** Signals a replica's process group (it leads one): SIGSTOP freezes it, SIGCONT resumes it. */
function signalReplica(replica: Replica, signal: NodeJS.Signals): void {
  process.kill(-replica.pid, signal);
}

interface MidRelease {
  started: NonNullable<Started["data"]>;
  /** When the test saw both hosts start it (its containers start then, give or take a poll). */
  startingSeenAt: number;
  owner: Replica;
  other: Replica;
}

/** Starts `version` through `api` and returns once both hosts wait for its health check, with who runs it. */
async function midRelease(api: ApiClient, version: string, healthyAfterMs: number): Promise<MidRelease> {
  const started = await deployed(api, version, { healthyAfterMs });
  await waitFor(
    `${version} starting on both hosts`,
    async () => {
      const deployment = await deploymentState(api, started.deployment.id);
      if (!["QUEUED", "BUILDING", "DEPLOYING"].includes(deployment.status)) throw new Error(`${version} ended too early: ${JSON.stringify(deployment)}`);
      return deployment.targets.length === 2 && deployment.targets.every((t) => t.state === "STARTING") ? true : undefined;
    },
    180_000,
  );
  const startingSeenAt = Date.now();
  const ownerId = await ownerOf(started.operation.id);
  const owner = replicas.find((r) => r.instanceId === ownerId);
  expect(owner, `owner ${ownerId} is one of ${replicas.map((r) => r.instanceId).join(", ")}`).toBeDefined();
  return { started, startingSeenAt, owner: owner!, other: replicas.find((r) => r !== owner)! };
}

/** Polls until the operation has ended, through `api`. */
function ended(api: ApiClient, operationId: string): Promise<OperationView> {
  return waitFor(
    "the end of the operation",
    async () => {
      const view = await operation(api, operationId);
      return view.status === "RUNNING" ? undefined : view;
    },
    120_000,
  );
}

let v1: NonNullable<Started["data"]>;
let v2: MidRelease;

describe("a replica frozen with SIGSTOP mid-deploy, its SSH connections still open", { timeout: 240_000 }, () => {
  let endedView: OperationView;
  let endedDeployment: Awaited<ReturnType<typeof deploymentState>>;

  it("deploys v1 to both hosts", async () => {
    v1 = await deployed(replicas[0]!.api, "v1");
    const events = await follow(replicas[0]!.api, v1.operation.id);
    expect(events.at(-1), JSON.stringify(events.slice(-5))).toMatchObject({ step: "finished", message: "Succeeded" });
    expect(await waitServing(addresses, WEB_HOST, /^version=v1 /m)).toHaveLength(2);
  });

  it("is taken over: both agents give v2 up, and both hosts stay on v1 after v2 would have been healthy", async () => {
    v2 = await midRelease(replicas[1]!.api, "v2", FROZEN_HEALTHY_AFTER_MS);
    const frozenAt = Date.now();
    signalReplica(v2.owner, "SIGSTOP");
    frozen = v2.owner;

    endedView = await ended(v2.other.api, v2.started.operation.id);
    console.log(`takeover of the frozen ${v2.owner.name}: INTERRUPTED after ${((Date.parse(endedView.finishedAt ?? "") - frozenAt) / 1000).toFixed(1)} s`);
    expect(endedView.status, JSON.stringify(endedView.events.slice(-8))).toBe("INTERRUPTED");
    expect(endedView.events.at(-1)).toMatchObject({ step: "finished", level: "ERROR", message: expect.stringMatching(/^Interrupted: /) });
    endedDeployment = await deploymentState(v2.other.api, v2.started.deployment.id);
    expect(endedDeployment.status).toBe("INTERRUPTED");
    expect(endedDeployment.targets.map((t) => t.state)).toEqual(["FAILED", "FAILED"]);
    for (const target of endedDeployment.targets) expect(target.error).toMatch(/interrupted before this server switched/);
    expect(await waitServing(addresses, WEB_HOST, /^version=v1 /m)).toHaveLength(2);

    // The frozen replica still holds its SSH connections: only being told stops the agents.
    await sleep(Math.max(0, v2.startingSeenAt + FROZEN_HEALTHY_AFTER_MS + 5_000 - Date.now()));
    for (const address of addresses) expect((await get(address, WEB_HOST)).body).toMatch(/^version=v1 /m);
    for (const host of LAB_NAMES) expect(await containersOf(host, v2.started.deployment.imageTag)).toEqual([]);
    // Each agent answered that it gave the release up before its switch.
    const gaveUp = endedView.events.filter((e) => e.step === "recover" && /gave this release up before its switch/.test(e.message));
    expect(gaveUp.map((e) => e.message.split(":")[0]).sort(), JSON.stringify(endedView.events.filter((e) => e.step === "recover"))).toEqual(["web-1", "web-2"]);
  });

  it("once resumed, the frozen replica's stale writes change nothing, and nothing is left behind", async () => {
    const resumed = v2.owner;
    signalReplica(resumed, "SIGCONT");
    frozen = null;
    // It answers again; then a lease renewal and the rest of its release streams have run into the
    // fence (its lease was taken over).
    await waitFor("the resumed replica to answer", async () => ((await resumed.api.gql(`{ sshPublicKey }`, {}, resumed.api.adminToken)).data ? true : undefined), 30_000);
    await sleep(LEASE_SECONDS * 1000);
    expect(await operation(v2.other.api, v2.started.operation.id)).toEqual(endedView);
    expect(await deploymentState(resumed.api, v2.started.deployment.id)).toEqual(endedDeployment);
    for (const address of addresses) expect((await get(address, WEB_HOST)).body).toMatch(/^version=v1 /m);
    for (const host of LAB_NAMES) expect(await containersOf(host, v2.started.deployment.imageTag)).toEqual([]);
    expect(unexpectedExits).toEqual([]);
  });
});

describe("a replica killed with SIGKILL mid-deploy", { timeout: 240_000 }, () => {
  let v3: MidRelease;
  let survivor: Replica;
  let killedAt: number;

  it("is noticed by the other replica, which ends the deploy INTERRUPTED within 15 s, saying why", async () => {
    v3 = await midRelease(replicas[1]!.api, "v3", KILLED_HEALTHY_AFTER_MS);
    const victim = v3.owner;
    survivor = v3.other;
    killedAt = Date.now();
    await supervisor.kill(victim.name, "SIGKILL");
    await victim.api.close();
    replicas = [survivor];

    const view = await ended(survivor.api, v3.started.operation.id);
    const recovered = view.events.find((e) => e.step === "recover" && e.level === "WARN" && /stopped answering/.test(e.message));
    const noticedMs = recovered ? Date.parse(recovered.createdAt) - killedAt : Number.NaN;
    const interruptedMs = Date.parse(view.finishedAt ?? "") - killedAt;
    console.log(
      `takeover after SIGKILL of ${victim.name}: noticed after ${(noticedMs / 1000).toFixed(1)} s, INTERRUPTED after ${(interruptedMs / 1000).toFixed(1)} s (lease ${LEASE_SECONDS} s, bound ${TAKEOVER_BOUND_MS / 1000} s)`,
    );
    expect(view.status, JSON.stringify(view.events.slice(-8))).toBe("INTERRUPTED");
    expect(recovered, JSON.stringify(view.events.slice(-8))).toBeDefined();
    expect(view.error).toMatch(/replica running this operation stopped/);
    expect(view.events.at(-1)).toMatchObject({ step: "finished", level: "ERROR", message: expect.stringMatching(/^Interrupted: /) });
    // The issue's bound (a correctness requirement, not a speed figure).
    expect(interruptedMs).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
  });

  it("leaves both hosts on v1, each host's outcome recorded, also once v3 would have been healthy", async () => {
    const deployment = await deploymentState(survivor.api, v3.started.deployment.id);
    expect(deployment.status).toBe("INTERRUPTED");
    expect(deployment.error).toMatch(/replica running this deployment stopped/);
    // Neither host had switched: each ends failed, saying it still runs its previous release.
    expect(deployment.targets.map((t) => t.state)).toEqual(["FAILED", "FAILED"]);
    for (const target of deployment.targets) expect(target.error).toMatch(/interrupted before this server switched/);
    expect(await waitServing(addresses, WEB_HOST, /^version=v1 /m)).toHaveLength(2);

    // The hosts' agents were left waiting for v3's health check when its replica died.
    await sleep(Math.max(0, v3.startingSeenAt + KILLED_HEALTHY_AFTER_MS + 8_000 - Date.now()));
    for (const address of addresses) expect((await get(address, WEB_HOST)).body).toMatch(/^version=v1 /m);
    for (const host of LAB_NAMES) expect(await containersOf(host, v3.started.deployment.imageTag, "running")).toEqual([]);
  });

  it("does not lock the service: v4 deploys through the surviving replica, and v2 and v3 are never run again", async () => {
    const v4 = await deployed(survivor.api, "v4");
    const events = await follow(survivor.api, v4.operation.id);
    expect(events.at(-1), JSON.stringify(events.slice(-5))).toMatchObject({ step: "finished", message: "Succeeded" });
    expect(await waitServing(addresses, WEB_HOST, /^version=v4 /m)).toHaveLength(2);

    const after = await operation(survivor.api, v3.started.operation.id);
    expect(after.status).toBe("INTERRUPTED");
    expect(after.events.at(-1)).toMatchObject({ step: "finished", message: expect.stringMatching(/^Interrupted: /) });
    const deploys = await survivor.api.gql(`{ operations(first: 20, kind: DEPLOY) { edges { node { id status } } } }`, {}, survivor.api.adminToken);
    const statuses = Object.fromEntries((deploys.data.operations.edges as { node: { id: string; status: string } }[]).map((e) => [e.node.id, e.node.status]));
    expect(statuses).toEqual({
      [v1.operation.id]: "SUCCEEDED",
      [v2.started.operation.id]: "INTERRUPTED",
      [v3.started.operation.id]: "INTERRUPTED",
      [v4.operation.id]: "SUCCEEDED",
    });
    expect(unexpectedExits).toEqual([]);
  });
});

