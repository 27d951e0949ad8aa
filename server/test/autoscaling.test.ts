// Autoscaling on a real control plane and database, against the DigitalOcean and Cloudflare
// simulators (droplets boot nothing: the agent bring-up is a stand-in), with a recording gateway
// for the agents: policies and their validation, decisions and their SCALE operations, the claim
// that keeps one scaling operation per service, scale out (copy, health-gated start, DNS), scale in
// (DNS first, drain, destroy, only servers the policy created), deploys reaching new servers, and
// recovery after a dead replica. The real thing on lab hosts is autoscaling-lab.test.ts.
import { startCloudflareSimulator, type CloudflareSimulator } from "@slipway/lab/cloudflare";
import { startDigitalOceanSimulator, type DigitalOceanSimulator } from "@slipway/lab/digitalocean";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateAutoscaling, evaluatePolicy } from "../src/domain/autoscaling/evaluate-autoscaling.js";
import type { Deps } from "../src/domain/deps.js";
import { collectMetrics, slotStart } from "../src/domain/metrics/collect-metrics.js";
import { expectedAgentVersion } from "../src/domain/servers/agent-release.js";
import { AGENT_TOKEN_PURPOSE, newAgentToken } from "../src/domain/servers/server-connections.js";
import type { Server } from "../src/generated/prisma/client.js";
import { runningRelease, serverRow, serviceRow, SteppedClock } from "./autoscaling-support.js";
import { aRecords } from "./domains-fixture.js";
import { gid, startTestServer, type TestServer } from "./harness.js";
import { follow, storeDigitalOceanToken } from "./provisioning-support.js";
import { RecordingGateway } from "./recording-gateway.js";

const INTERVAL = 15_000;
const HOST = "web.example.test";
const SET_POLICY = `mutation($s: ID!, $input: AutoscalePolicyInput!) { setAutoscalePolicy(serviceId: $s, input: $input) {
  __typename ... on MutationSetAutoscalePolicySuccess { data { enabled minServers maxServers targetRequestsPerSecond region snapshot { name } } }
  ... on Error { message } ... on ValidationError { fieldErrors { path message } } } }`;

let doSim: DigitalOceanSimulator;
let cfSim: CloudflareSimulator;
let server: TestServer;
let deps: Deps;
/** Releases wait while `gate` is set: a deploy that is still running when a new server joins. */
class GatedGateway extends RecordingGateway {
  gate: Promise<void> | null = null;
  override async release(...args: Parameters<RecordingGateway["release"]>) {
    await this.gate;
    return super.release(...args);
  }
}
const gateway = new GatedGateway();
const clock = new SteppedClock();
let serviceId: string;
let snapshotId: string;
let adopted: Server;
let manual: Server;
/** While set, the stand-in bring-up waits for it (to start a deploy in the middle of a scale-out). */
let holdBringUp: Promise<void> | null = null;

async function bringUp(serverId: string) {
  await holdBringUp;
  const row = await deps.db.server.findUniqueOrThrow({ where: { id: serverId } });
  return deps.db.server.update({
    where: { id: serverId },
    data: {
      agentTokenCiphertext: deps.secrets.encrypt(newAgentToken(), AGENT_TOKEN_PURPOSE),
      hostKeyFingerprint: `SHA256:stand-in-${row.providerId}`,
      agentVersion: expectedAgentVersion(),
      status: "ACTIVE",
    },
  });
}

function policyInput(overrides: Record<string, unknown> = {}) {
  return { enabled: true, minServers: 1, maxServers: 3, targetRequestsPerSecond: 5, snapshotId: gid("Snapshot", snapshotId), warmupSeconds: 0, scaleInWindowSeconds: 0, scaleOutCooldownSeconds: 0, ...overrides };
}

async function setPolicy(overrides: Record<string, unknown> = {}) {
  return (await server.gql(SET_POLICY, { s: gid("Service", serviceId), input: policyInput(overrides) }, server.adminToken)).data.setAutoscalePolicy;
}

/** A collection round in the next slot, then an evaluation in the same slot. */
async function tick() {
  clock.nextSlot(INTERVAL);
  await collectMetrics(deps);
  const policy = await deps.db.autoscalePolicy.findUniqueOrThrow({ where: { serviceId } });
  return evaluatePolicy(deps, policy.id, slotStart(clock.now(), INTERVAL));
}

/** Ticks until an evaluation acts (the figures need a collection or two to move). */
async function actingDecision() {
  for (let i = 0; i < 4; i++) {
    const decision = await tick();
    if (decision?.operationId) return decision;
  }
  return null;
}

async function followDecision(decision: { operationId: string | null } | null) {
  expect(decision?.operationId).toBeTruthy();
  const events = await follow(server, gid("Operation", decision!.operationId!));
  const operation = await deps.db.operation.findUniqueOrThrow({ where: { id: decision!.operationId! } });
  return { events, operation };
}

const serviceServers = async () =>
  (await deps.db.serviceServer.findMany({ where: { serviceId }, include: { server: true } })).map((s) => s.server.name).sort();

function trafficOn(servers: { id: string }[], requestsPerSecond: number) {
  for (const s of servers) gateway.load.set(s.id, { cpuPercent: 10, sites: { "shop-web": { requestsPerSecond } } });
}

describe("autoscaling", { timeout: 60_000 }, () => {
  beforeAll(async () => {
    doSim = await startDigitalOceanSimulator({ actionDelayMs: 20 });
    cfSim = await startCloudflareSimulator({ zones: ["example.test"] });
    server = await startTestServer(
      {
        SLIPWAY_DIGITALOCEAN_API_URL: doSim.url,
        SLIPWAY_CLOUDFLARE_API_URL: cfSim.url,
        SLIPWAY_METRICS_INTERVAL_SECONDS: "3600",
        SLIPWAY_AUTOSCALE_INTERVAL_SECONDS: "3600",
        SLIPWAY_AUTOSCALE_DNS_DRAIN_SECONDS: "1",
      },
      undefined,
      {
        servers: gateway,
        provisioning: {
          digitalOcean: { actions: { pollIntervalMs: 20, maxPollIntervalMs: 50 }, retry: { baseDelayMs: 5, maxDelayMs: 20 }, rateLimit: { initialWaitMs: 5, maxWaitMs: 50 } },
          goneWaitMs: 5_000,
          bringUpAgent: (_ctx, id) => bringUp(id),
        },
      },
    );
    deps = server.app.deps;
    deps.clock = clock;
    deps.config.metrics.intervalMs = INTERVAL;
    deps.config.autoscale.intervalMs = INTERVAL;
    gateway.metricsStepMs = INTERVAL;
    await storeDigitalOceanToken(server, doSim.token);
    await server.gql(`mutation($input: SetCredentialInput!) { setCredential(input: $input) { __typename } }`, { input: { provider: "CLOUDFLARE", token: cfSim.token } }, server.adminToken);

    const service = await serviceRow(deps, "shop", "web");
    serviceId = service.id;
    await deps.db.serviceDomain.create({ data: { serviceId, hostname: HOST } });
    snapshotId = (await deps.db.snapshot.create({ data: { name: "as-snap", providerId: "150000001", regions: ["nyc3", "ams3"], agentVersion: expectedAgentVersion(), status: "AVAILABLE" } })).id;
    adopted = await serverRow(deps, "adopted-1", "SSH_HOST");
    manual = await serverRow(deps, "by-hand-1");
    const release = await runningRelease(deps, serviceId, [adopted, manual], [HOST]);
    for (const s of [adopted, manual]) gateway.images.set(s.id, [{ id: `sha256:${release.imageTag}`, tags: [release.imageTag], sizeBytes: 1, createdAt: "", service: "shop-web", deployment: release.id, inUse: true }]);
  });

  afterAll(async () => {
    await server?.stop();
    await doSim?.close();
    await cfSim?.close();
  });

  it("refuses a policy that cannot hold, saying which field, and writes nothing", async () => {
    const refusals = [
      [{ minServers: 4, maxServers: 3 }, ["maxServers"]],
      [{ targetRequestsPerSecond: null }, ["targetCpuPercent"]],
      [{ targetCpuPercent: 120 }, ["targetCpuPercent"]],
      [{ snapshotId: null }, ["snapshotId"]],
      [{ region: "sfo3" }, ["region"]],
      [{ maxServers: 30 }, ["maxServers"]],
      [{ scaleInWindowSeconds: -1 }, ["scaleInWindowSeconds"]],
    ] as const;
    for (const [overrides, path] of refusals) {
      const result = await setPolicy(overrides);
      expect(result.__typename, JSON.stringify(overrides)).toBe("ValidationError");
      expect(result.fieldErrors.map((f: { path: string[] }) => f.path), JSON.stringify(result)).toContainEqual(path);
    }
    const deleted = await deps.db.snapshot.create({ data: { name: "gone", providerId: "9", regions: ["nyc3"], agentVersion: "0", status: "DELETED" } });
    expect((await setPolicy({ snapshotId: gid("Snapshot", deleted.id) })).fieldErrors).toEqual([{ path: ["snapshotId"], message: "the snapshot gone is deleted, not available" }]);
    const unknown = await server.gql(SET_POLICY, { s: gid("Service", "00000000-0000-4000-8000-000000000000"), input: policyInput() }, server.adminToken);
    expect(unknown.data.setAutoscalePolicy).toEqual({ __typename: "NotFoundError", message: "Service was not found" });
    expect(await deps.db.autoscalePolicy.count()).toBe(0);
    // Changing servers takes the servers:write scope.
    const reader = await server.gql(`mutation { createApiToken(input: {name: "r", scopes: ["read"]}) { ... on MutationCreateApiTokenSuccess { data { token } } } }`, {}, server.adminToken);
    const forbidden = await server.gql(SET_POLICY, { s: gid("Service", serviceId), input: policyInput() }, reader.data.createApiToken.data.token);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("accepts a valid policy (region from the snapshot) and shows it on the service", async () => {
    expect(await setPolicy()).toEqual({
      __typename: "MutationSetAutoscalePolicySuccess",
      data: { enabled: true, minServers: 1, maxServers: 3, targetRequestsPerSecond: 5, region: "nyc3", snapshot: { name: "as-snap" } },
    });
  });

  it("decides nothing without figures, and evaluates each slot once however many replicas try", async () => {
    const policy = await deps.db.autoscalePolicy.findUniqueOrThrow({ where: { serviceId } });
    clock.nextSlot(INTERVAL);
    const slot = slotStart(clock.now(), INTERVAL);
    const results = await Promise.all([evaluatePolicy(deps, policy.id, slot), evaluatePolicy(deps, policy.id, slot), evaluatePolicy(deps, policy.id, slot)]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(results.find((r) => r)).toMatchObject({ action: "NONE", reason: "no figures yet: staying at 2 servers" });
  });

  it("leaves a service alone while its deletion runs", async () => {
    const removal = await deps.db.operation.create({ data: { kind: "DELETE_SERVICE", handler: "delete-service", title: "Delete shop/web", status: "RUNNING" } });
    await deps.db.service.update({ where: { id: serviceId }, data: { removalOperationId: removal.id } });
    clock.nextSlot(INTERVAL);
    expect(await evaluateAutoscaling(deps)).toEqual({ evaluated: 0, started: 0 });
    await deps.db.operation.update({ where: { id: removal.id }, data: { status: "FAILED" } });
    clock.nextSlot(INTERVAL);
    expect(await evaluateAutoscaling(deps)).toMatchObject({ evaluated: 1 });
    await deps.db.service.update({ where: { id: serviceId }, data: { removalOperationId: null } });
    await deps.db.operation.delete({ where: { id: removal.id } });
  });

  it("scales out under load: one SCALE operation explaining why, droplets from the snapshot, the release copied (not rebuilt) and started, DNS records added", async () => {
    trafficOn([adopted, manual], 25);
    await tick(); // the first collection has nothing to difference against
    const decision = await tick();
    expect(decision).toMatchObject({ action: "SCALE_OUT", currentServers: 2, recommendedServers: 10, desiredServers: 3 });
    expect(decision!.reason).toBe("requests 25/s per server over 2 servers, target 5/s → 10 servers: scaling out from 2 to 3 servers (the maximum is 3)");

    // While it runs, another evaluation waits for it instead of starting a second one.
    const waiting = await tick();
    expect(waiting).toMatchObject({ action: "NONE", operationId: null });
    expect(waiting!.reason).toMatch(/waiting for the running scaling operation$/);

    const { events, operation } = await followDecision(decision);
    expect(operation, JSON.stringify(events.slice(-6))).toMatchObject({ kind: "SCALE", status: "SUCCEEDED", serviceId });
    expect(events[0]).toMatchObject({ step: "decision", message: decision!.reason });
    const added = await deps.db.autoscaledServer.findMany({ include: { server: true } });
    expect(added).toHaveLength(1);
    const fresh = added[0]!.server;
    expect(fresh).toMatchObject({ kind: "DROPLET", managed: true, status: "ACTIVE", region: "nyc3", snapshotId });
    expect(doSim.state.droplets.get(Number(fresh.providerId))?.tags).toContain("slipway-managed");
    expect(gateway.calls.filter((c) => c.kind === "build" || c.kind === "pull")).toEqual([]);
    expect(gateway.calls.filter((c) => c.kind === "copy").map((c) => c.kind === "copy" && c.to)).toEqual([fresh.id]);
    expect(gateway.calls.some((c) => c.kind === "release" && c.serverId === fresh.id && c.domains.includes(HOST))).toBe(true);
    expect(await serviceServers()).toEqual(["adopted-1", "by-hand-1", fresh.name].sort());
    expect(aRecords(cfSim)).toContain(`${HOST} ${fresh.publicIpv4} proxied`);
    const steps = events.map((e) => e.step);
    expect(steps.indexOf("release")).toBeLessThan(steps.lastIndexOf("dns"));
    expect((await deps.db.autoscalePolicy.findUniqueOrThrow({ where: { serviceId } })).scalingOperationId).toBeNull();
  });

  it("deploys to every current server, the autoscaled one included; a server joining during a deploy ends on the deploy's release", async () => {
    // Room for one more: the scale-out's droplet waits in its bring-up while a deploy starts.
    await setPolicy({ maxServers: 4 });
    let releaseBringUp!: () => void;
    let releaseDeploy!: () => void;
    holdBringUp = new Promise((resolve) => (releaseBringUp = resolve));
    trafficOn(await deps.db.server.findMany({ where: { status: "ACTIVE" } }), 25);
    const decision = await tick(); // the servers already have figures to go on
    expect(decision, decision?.reason).toMatchObject({ action: "SCALE_OUT", desiredServers: 4 });
    gateway.gate = new Promise((resolve) => (releaseDeploy = resolve));
    const deployed = await server.gql(
      `mutation($input: DeployInput!) { deploy(input: $input) { __typename ... on MutationDeploySuccess { data { deployment { id } operation { id } } } ... on Error { message } } }`,
      { input: { serviceId: gid("Service", serviceId), source: { type: "IMAGE", image: "registry.example/web:2" } } },
      server.adminToken,
    );
    expect(deployed.data.deploy.__typename, JSON.stringify(deployed)).toBe("MutationDeploySuccess");
    const deploymentId = Buffer.from(deployed.data.deploy.data.deployment.id, "base64").toString().split(":")[1]!;
    const targets = await deps.db.deploymentTarget.findMany({ where: { deploymentId }, include: { server: true } });
    expect(targets.map((t) => t.server.name).sort()).toEqual(await serviceServers());
    // The new droplet comes up while the deploy still runs: it waits for it.
    holdBringUp = null;
    releaseBringUp();
    const waiting = /A deploy of the service is running: waiting for it/;
    for (let i = 0; i < 100 && !(await deps.db.operationEvent.count({ where: { operationId: decision!.operationId!, message: { contains: "A deploy of the service is running" } } })); i++) await sleep(100);
    gateway.gate = null;
    releaseDeploy();
    const deployEvents = await follow(server, deployed.data.deploy.data.operation.id);
    expect(deployEvents.at(-1)?.message).toBe("Succeeded");
    const { operation, events } = await followDecision(decision);
    expect(operation.status, JSON.stringify(events.slice(-5))).toBe("SUCCEEDED");
    expect(events.some((e) => waiting.test(e.message))).toBe(true);
    const newest = (await deps.db.autoscaledServer.findMany({ where: { operationId: decision!.operationId! } }))[0]!;
    const row = await deps.db.serviceServer.findUniqueOrThrow({ where: { serviceId_serverId: { serviceId, serverId: newest.serverId } } });
    expect(row.currentDeploymentId).toBe(deploymentId);
    await setPolicy({ maxServers: 3 });
  });

  it("scales in one server at a time — DNS first, then the drain, then the droplet — never an adopted or hand-made server, never below the minimum", async () => {
    const all = await deps.db.server.findMany({ where: { status: "ACTIVE" } });
    trafficOn(all, 1);
    const removed: string[] = [];
    for (let i = 0; i < 2; i++) {
      const decision = await actingDecision();
      expect(decision?.action, decision?.reason).toBe("SCALE_IN");
      const { events, operation } = await followDecision(decision);
      expect(operation.status, JSON.stringify(events.slice(-5))).toBe("SUCCEEDED");
      const gone = all.find((s) => decision!.reason.endsWith(`removing ${s.name}`))!;
      removed.push(gone.name);
      const order = ["leave", "dns", "drain", "destroy"].map((step) => events.findIndex((e) => e.step === step));
      expect(order, JSON.stringify(events.map((e) => e.step))).toEqual([...order].sort((a, b) => a - b));
      expect(aRecords(cfSim).some((r) => r.includes(gone.publicIpv4!))).toBe(false);
      expect(gateway.calls).toContainEqual({ kind: "retire", serverId: gone.id, service: "shop-web" });
      expect(await deps.db.server.findUnique({ where: { id: gone.id } })).toBeNull();
      expect(doSim.state.droplets.has(Number(gone.providerId))).toBe(false);
    }
    expect(await serviceServers()).toEqual(["adopted-1", "by-hand-1"]);
    await tick();
    const idle = await tick();
    expect(idle).toMatchObject({ action: "NONE", currentServers: 2, recommendedServers: 1 });
    expect(idle!.reason).toMatch(/no server this policy created can be removed/);
    expect(await serviceServers()).toEqual(["adopted-1", "by-hand-1"]);
    expect(aRecords(cfSim)).toEqual([adopted, manual].map((s) => `${HOST} ${s.publicIpv4} proxied`).sort());
  });

  it("after a replica died mid scale-out, recovery destroys the servers that never joined and frees the policy for the next decision", async () => {
    const policy = await deps.db.autoscalePolicy.findUniqueOrThrow({ where: { serviceId } });
    const orphan = await serverRow(deps, "web-as-orphan");
    const operation = await deps.db.operation.create({
      data: {
        kind: "SCALE", handler: "scale-service", status: "RUNNING", title: "Scale shop/web out (died)", serviceId, ownerId: "dead-replica", heartbeatAt: new Date(0), startedAt: new Date(0),
        input: { serviceId, policyId: policy.id, direction: "OUT", fromServers: 2, toServers: 3, reason: "test", serverId: null, decisionId: "00000000-0000-4000-8000-000000000001" },
      },
    });
    await deps.db.autoscaledServer.create({ data: { serverId: orphan.id, policyId: policy.id, serviceId, operationId: operation.id } });
    await deps.db.autoscalePolicy.update({ where: { id: policy.id }, data: { scalingOperationId: operation.id } });
    const events = await follow(server, gid("Operation", operation.id));
    expect(events.map((e) => e.message)).toContain("web-as-orphan never joined the service: destroying it");
    expect(await deps.db.operation.findUniqueOrThrow({ where: { id: operation.id } })).toMatchObject({ status: "INTERRUPTED" });
    expect(await deps.db.server.findUnique({ where: { id: orphan.id } })).toBeNull();
    expect((await deps.db.autoscalePolicy.findUniqueOrThrow({ where: { id: policy.id } })).scalingOperationId).toBeNull();
    expect(await serviceServers()).toEqual(["adopted-1", "by-hand-1"]);
  });

  it("marks the decisions that acted on the service's charts, and lists the latest decisions", async () => {
    const result = await server.gql(
      `query($id: ID!) { node(id: $id) { ... on Service {
        metrics(stepSeconds: 60) { scaleEvents { action currentServers desiredServers reason operation { kind status } } }
        autoscaleDecisions(first: 3) { action reason }
        autoscalePolicy { enabled scalingOperation { id } }
      } } }`,
      { id: gid("Service", serviceId) },
      server.adminToken,
    );
    expect(result.errors).toBeUndefined();
    const marks = result.data.node.metrics.scaleEvents;
    expect(marks.map((m: { action: string }) => m.action)).toEqual(["SCALE_OUT", "SCALE_OUT", "SCALE_IN", "SCALE_IN"]);
    expect(marks[0]).toMatchObject({ currentServers: 2, desiredServers: 3, operation: { kind: "SCALE", status: "SUCCEEDED" } });
    expect(result.data.node.autoscaleDecisions).toHaveLength(3);
    expect(result.data.node.autoscalePolicy).toEqual({ enabled: true, scalingOperation: null });
  });
});
