// Autoscaling end to end on real lab hosts behind the DigitalOcean and Cloudflare simulators
// (autoscaling-lab-support.ts): a static site on an adopted host with min 1 / max 3 and a
// requests-per-second target. A bounded load generator (HTTPS to the addresses DNS gives, through
// the lab CA) drives it to scale out to 3 servers — a deploy started meanwhile reaches the new
// ones, a policy change meanwhile applies from the next evaluation —, each serving the release over
// HTTPS with its A record; then only a light probe load stays and it scales back in to 1 after the
// (shortened) window with 0 failed requests, the adopted host kept. One suite, one set of hosts, in
// a lab instance of its own (srv-autoscale).
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP, page, startAutoscaleLab, type AutoscaleLab } from "./autoscaling-lab-support.js";
import { startLoad, type Load } from "./autoscaling-load.js";
import { follow, httpsGet } from "./e2e-support.js";
import { gid, rawId } from "./harness.js";

let env: AutoscaleLab;
let load: Load | undefined;
const POLICY = { enabled: true, minServers: 1, maxServers: 3, targetRequestsPerSecond: 5, warmupSeconds: 5, scaleOutCooldownSeconds: 30, scaleInWindowSeconds: 20 };

const db = () => env.server.app.deps.db;
const serviceDbId = () => rawId(env.serviceId);
const serving = async () =>
  (await db().serviceServer.findMany({ where: { serviceId: serviceDbId() }, include: { server: { include: { autoscaledBy: true } } } })).map((s) => s.server);

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

const visible = (events: { level: string; step: string; message: string }[]) => JSON.stringify(events.filter((e) => e.level !== "DEBUG").slice(-8));

describe("autoscaling on lab hosts", { timeout: 300_000 }, () => {
  beforeAll(async () => {
    env = await startAutoscaleLab({ instance: "srv-autoscale", prefix: "as-e2e" });
    console.log(`set-up: ${JSON.stringify(env.timings)}`);
  }, 600_000);

  afterAll(async () => {
    await load?.stop();
    await env?.close();
  }, 180_000);

  it("takes the policy: min 1, max 3, 5 requests per second per server, new servers from the snapshot", async () => {
    expect(await env.setPolicy({ ...POLICY, minServers: 4 })).toMatchObject({ __typename: "ValidationError", fieldErrors: [{ path: ["maxServers"] }] });
    // Enabled once the load runs (next test), so that the first evaluation sees the whole load.
    expect(await env.setPolicy({ ...POLICY, enabled: false })).toEqual({ __typename: "MutationSetAutoscalePolicySuccess" });
  });

  it("scales out to 3 under load, each new server serving the deploy that started meanwhile over HTTPS with its A record, 0 failed requests", async () => {
    const t0 = Date.now();
    load = startLoad({ hostname: APP, ca: env.cfSim.caCertPem, resolve: env.resolve, requestsPerSecond: 25, maxDurationMs: 280_000, accept: (body) => /^<h1>autoscaled v\d<\/h1>/.test(body) });
    await sleep(6_000);
    expect(await env.setPolicy(POLICY)).toEqual({ __typename: "MutationSetAutoscalePolicySuccess" });
    const scaleOut = await until("a scale-out", () => db().operation.findFirst({ where: { serviceId: serviceDbId(), kind: "SCALE" } }), 60_000);
    const decision = await db().autoscaleDecision.findFirstOrThrow({ where: { operationId: scaleOut.id } });
    expect(decision).toMatchObject({ action: "SCALE_OUT", currentServers: 1, desiredServers: 3 });
    expect(decision.reason).toMatch(/^requests \d+(\.\d)?\/s per server over 1 server, target 5\/s → \d+ servers: scaling out from 1 to 3 servers/);
    console.log(`decision ${Date.now() - t0} ms after the load started: ${decision.reason}`);

    // While it runs: a policy change (applies from the next evaluation) and a deploy (the new servers end on it).
    expect(await env.setPolicy({ ...POLICY, targetRequestsPerSecond: 6 })).toEqual({ __typename: "MutationSetAutoscalePolicySuccess" });
    const changedAt = new Date();
    const v2 = await env.deploy("v2");
    const deployEvents = await follow(env.server, v2.operationId);
    expect(deployEvents.at(-1)?.message, visible(deployEvents)).toBe("Succeeded");

    const events = await follow(env.server, gid("Operation", scaleOut.id));
    const outcome = await db().operation.findUniqueOrThrow({ where: { id: scaleOut.id } });
    expect(outcome.status, visible(events)).toBe("SUCCEEDED");
    expect(events[0]).toMatchObject({ step: "decision", message: decision.reason });
    expect(events.some((e) => /Copying .* from a server that runs it \(no rebuild\)/.test(e.message))).toBe(true);

    const servers = await serving();
    expect(servers).toHaveLength(3);
    expect(servers.filter((s) => s.autoscaledBy).map((s) => s.kind)).toEqual(["DROPLET", "DROPLET"]);
    expect(servers.find((s) => !s.autoscaledBy)?.name).toBe(env.adopted.name);
    const addresses = servers.map((s) => s.publicIpv4!).sort();
    expect(env.resolve()).toEqual(addresses);
    for (const address of addresses) expect(await httpsGet(address, APP, env.cfSim.caCertPem), address).toEqual({ status: 200, body: page("v2") });
    const rows = await db().serviceServer.findMany({ where: { serviceId: serviceDbId() } });
    expect(new Set(rows.map((r) => r.currentDeploymentId))).toEqual(new Set([v2.deploymentId]));

    // The next evaluation sees the changed target.
    const next = await until("a decision after the change", () => db().autoscaleDecision.findFirst({ where: { serviceId: serviceDbId(), at: { gt: outcome.finishedAt! } }, orderBy: { at: "asc" } }), 20_000);
    expect(next.at.getTime()).toBeGreaterThan(changedAt.getTime());
    expect(next.reason).toContain("target 6/s");

    // Every server took traffic once DNS named it; nothing failed while they joined.
    await until("traffic on all 3", async () => addresses.every((a) => (load!.report.served[a]?.ok ?? 0) > 0), 15_000);
    const report = load.takeReport();
    console.log(`scale-out: ${report.requests} requests, ${report.failed} failed, served ${JSON.stringify(report.served)}`);
    expect(report.failures).toEqual([]);
    expect(report.failed).toBe(0);
  });

  it("scales back in to 1 after the window, one server at a time, DNS first, 0 failed requests, never removing the adopted host", async () => {
    const before = await serving();
    load!.setRate(3); // the heavy load stops; a light probe keeps counting failures
    const t0 = Date.now();
    await until("one server left", async () => (await serving()).length === 1 && !(await db().autoscalePolicy.findFirst({ where: { serviceId: serviceDbId(), scalingOperationId: { not: null } } })), 150_000);
    console.log(`scale-in to 1: ${Date.now() - t0} ms after the load dropped`);
    await sleep(1_000);
    const report = await load!.stop();
    load = undefined;
    console.log(`scale-in: ${report.requests} requests, ${report.failed} failed`);
    expect(report.failures).toEqual([]);
    expect(report.failed).toBe(0);
    expect(report.requests).toBeGreaterThan(30);

    const left = await serving();
    expect(left.map((s) => s.name)).toEqual([env.adopted.name]);
    expect(env.resolve()).toEqual([env.adopted.address]);
    const scaleIns = await db().autoscaleDecision.findMany({ where: { serviceId: serviceDbId(), action: "SCALE_IN" }, orderBy: { at: "asc" } });
    expect(scaleIns.map((d) => `${d.currentServers}→${d.desiredServers}`)).toEqual(["3→2", "2→1"]);
    for (const d of scaleIns) {
      const events = await follow(env.server, gid("Operation", d.operationId!));
      expect(events.at(-1)?.message, visible(events)).toBe("Succeeded");
      const steps = events.map((e) => e.step);
      expect(steps.indexOf("dns")).toBeLessThan(steps.indexOf("drain"));
      expect(steps.lastIndexOf("drain")).toBeLessThan(steps.indexOf("destroy"));
    }
    // The droplets and their lab hosts are gone; the adopted host still serves.
    await env.doSim.settled();
    for (const gone of before.filter((s) => s.autoscaledBy)) {
      expect(env.doSim.state.droplets.has(Number(gone.providerId))).toBe(false);
      expect(env.lab.list().map((h) => h.name)).not.toContain(gone.name);
    }
    expect(await httpsGet(env.adopted.address, APP, env.cfSim.caCertPem)).toEqual({ status: 200, body: page("v2") });

    // Later evaluations keep it: at the minimum, and the adopted host is never the policy's to remove.
    const after = new Date();
    const latest = await until("a later decision", () => db().autoscaleDecision.findFirst({ where: { serviceId: serviceDbId(), at: { gt: after } } }), 10_000);
    expect(latest).toMatchObject({ action: "NONE", currentServers: 1 });
  });

  it("keeps the figures and marks the decisions: three series on the service's chart data, the scale-out and both scale-ins", async () => {
    const result = await env.server.gql(
      `query($id: ID!) { node(id: $id) { ... on Service { metrics(stepSeconds: 15) { series { serverName points { requestsPerSecond } } scaleEvents { action } } } } }`,
      { id: env.serviceId },
      env.server.adminToken,
    );
    const { series, scaleEvents } = result.data.node.metrics;
    expect(series).toHaveLength(3);
    for (const s of series) expect(s.points.some((p: { requestsPerSecond: number | null }) => (p.requestsPerSecond ?? 0) > 0), s.serverName).toBe(true);
    expect(scaleEvents.map((e: { action: string }) => e.action)).toEqual(["SCALE_OUT", "SCALE_IN", "SCALE_IN"]);
  });
});
