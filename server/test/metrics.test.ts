// Metrics: the arithmetic alone (counters into rates, merging rows, time ranges), then collection,
// gaps, reachability, roll-ups, retention and the API on a real control plane and database, with a
// recording gateway standing in for the agents.
import { emptyHistogram, LATENCY_BUCKETS_MS, type MetricsResponse } from "@slipway/agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deps } from "../src/domain/deps.js";
import { mergeServerRows, mergeServiceRows } from "../src/domain/metrics/aggregate.js";
import { collectMetrics } from "../src/domain/metrics/collect-metrics.js";
import { samplesFrom } from "../src/domain/metrics/metric-samples.js";
import { rollUpMetrics } from "../src/domain/metrics/roll-up-metrics.js";
import { resolveTimeRange } from "../src/domain/metrics/time-range.js";
import { checkUnreachableServers } from "../src/domain/servers/reconcile-servers.js";
import { ValidationError } from "../src/domain/errors.js";
import { serverRow, serviceRow, SteppedClock } from "./autoscaling-support.js";
import { gid, startTestServer, type TestServer } from "./harness.js";
import { RecordingGateway } from "./recording-gateway.js";

function answer(overrides: Partial<MetricsResponse> & { cpu?: [number, number] } = {}): MetricsResponse {
  const [totalTicks, idleTicks] = overrides.cpu ?? [1000, 800];
  return {
    sampledAt: 0,
    host: { cpu: { totalTicks, idleTicks, cores: 2 }, memory: { totalBytes: 1000, availableBytes: 400 }, load: { one: 0.5, five: 0.4, fifteen: 0.3 }, disk: { path: "/", totalBytes: 100, freeBytes: 60 } },
    containers: [],
    sites: [],
    ...overrides,
  };
}

const histogramWith = (bound: number, count: number) => {
  const h = emptyHistogram();
  h[LATENCY_BUCKETS_MS.indexOf(bound as (typeof LATENCY_BUCKETS_MS)[number])] = count;
  return h;
};

describe("from two answers to one collection's figures", () => {
  const services = [{ serviceId: "svc", agentName: "shop-web" }];
  const site = (requests: number, continued = true) => ({
    service: "shop-web", cursor: { inode: "5", offset: requests * 40 }, continued, requests, errors: 3, latencyHistogram: histogramWith(20, requests), skippedBytes: 0, unparsedLines: 0,
  });

  it("has no rates on the first answer, only what is a level (memory, load, disk)", () => {
    const { server, services: [svc], next } = samplesFrom({ sampledAt: null, counters: null, logCursors: {} }, answer({ sampledAt: 1000, sites: [site(50, false)] }), services);
    expect(server).toEqual({ reachable: true, cpuPercent: null, memoryUsedBytes: 600, memoryTotalBytes: 1000, load1: 0.5, diskFreeBytes: 60, diskTotalBytes: 100 });
    expect(svc).toMatchObject({ cpuPercent: null, requests: null, intervalSeconds: null });
    expect(next).toEqual({ sampledAt: 1000, counters: { cpu: { totalTicks: 1000, idleTicks: 800 }, containers: {} }, logCursors: { "shop-web": { inode: "5", offset: 2000 } } });
  });

  it("takes CPU from the difference of cumulative counters, and requests and latency over the time between answers", () => {
    const previous = { sampledAt: 1000, counters: { cpu: { totalTicks: 1000, idleTicks: 800 }, containers: { c1: 1e9, old: 5e9 } }, logCursors: {} };
    const now = answer({
      sampledAt: 16_000,
      cpu: [4000, 3050],
      containers: [
        { service: "shop-web", containerId: "c1", cpuUsageNs: 1e9 + 3e9, memoryBytes: 100 },
        { service: "shop-web", containerId: "c2", cpuUsageNs: 9e9, memoryBytes: 50 }, // new: no difference yet
        { service: "other", containerId: "c3", cpuUsageNs: 1, memoryBytes: 1 },
      ],
      sites: [site(300)],
    });
    const { server, services: [svc] } = samplesFrom(previous, now, services);
    expect(server.cpuPercent).toBe(25); // (3000 - 2250 idle) / 3000 ticks
    expect(svc).toMatchObject({ cpuPercent: 20, memoryBytes: 150, intervalSeconds: 15, requests: 300, errors: 3, latencyP50Ms: 15, latencyP95Ms: 19.5 });
  });

  it("reads a reboot (counters going backwards) as no figure, never as a negative or a zero", () => {
    const previous = { sampledAt: 1000, counters: { cpu: { totalTicks: 1e6, idleTicks: 9e5 }, containers: {} }, logCursors: {} };
    expect(samplesFrom(previous, answer({ sampledAt: 16_000 }), services).server.cpuPercent).toBeNull();
  });
});

describe("merging rows", () => {
  const row = { reachable: true, samples: 1, cpuPercent: 10, memoryUsedBytes: 1, memoryTotalBytes: 2, load1: 0, diskFreeBytes: 1, diskTotalBytes: 2 };
  const gap = { reachable: false, samples: 1, cpuPercent: null, memoryUsedBytes: null, memoryTotalBytes: null, load1: null, diskFreeBytes: null, diskTotalBytes: null, error: "timeout" };

  it("averages what was seen (weighted by collections), leaves gaps out of averages, and says a gap when nothing was", () => {
    expect(mergeServerRows([row, { ...row, cpuPercent: 40, samples: 2 }, gap])).toMatchObject({ reachable: true, samples: 3, cpuPercent: 30, error: null });
    expect(mergeServerRows([gap, gap])).toMatchObject({ reachable: false, samples: 2, cpuPercent: null, error: "timeout" });
  });

  it("adds requests, errors, seconds and latency histograms, reading percentiles from the sum", () => {
    const a = { reachable: true, samples: 1, cpuPercent: null, memoryBytes: null, intervalSeconds: 15, requests: 90, errors: 9, latencyHistogram: histogramWith(10, 90) };
    const b = { ...a, requests: 10, errors: 1, latencyHistogram: histogramWith(500, 10) };
    const merged = mergeServiceRows([a, b, { ...a, reachable: false, requests: null, intervalSeconds: null, latencyHistogram: null }]);
    expect(merged).toMatchObject({ reachable: true, intervalSeconds: 30, requests: 100, errors: 10, latencyP50Ms: 7.78 });
    expect(merged.latencyP95Ms).toBeCloseTo(350, 0);
  });
});

describe("time ranges", () => {
  const options = { now: new Date("2026-12-03T12:00:00Z"), intervalMs: 15_000, retentionMs: 7 * 86_400_000 };
  it("defaults to the last hour in about 240 points aligned to the step", () => {
    expect(resolveTimeRange({}, options)).toEqual({ from: new Date("2026-12-03T11:00:00Z"), to: options.now, stepSeconds: 15, bucketCount: 240 });
    expect(resolveTimeRange({ from: new Date("2026-12-02T12:00:10Z") }, options)).toMatchObject({ stepSeconds: 600, from: new Date("2026-12-02T12:00:00Z"), bucketCount: 144 });
  });

  it("refuses a backwards range, one longer than what is kept, and too many points, saying which field", () => {
    const refused = (input: Parameters<typeof resolveTimeRange>[0]) => {
      try {
        resolveTimeRange(input, options);
      } catch (error) {
        return (error as ValidationError).fieldErrors;
      }
      return null;
    };
    expect(refused({ from: options.now, to: new Date(options.now.getTime() - 1) })).toEqual([{ path: ["from"], message: "must be before to" }]);
    expect(refused({ from: new Date("2026-11-01T00:00:00Z") })?.[0]?.path).toEqual(["from"]);
    expect(refused({ from: new Date("2026-12-03T00:00:00Z"), stepSeconds: 1 })?.[0]?.message).toMatch(/^gives 43200 points; at most 1440/);
  });
});

describe("collection on a control plane", () => {
  let server: TestServer;
  let deps: Deps;
  const gateway = new RecordingGateway();
  const clock = new SteppedClock();
  let web: { id: string };
  let a: { id: string; name: string };
  let b: { id: string; name: string };

  beforeAll(async () => {
    // The scheduler's own timers stay out of the way (an hour); the test runs each round itself.
    server = await startTestServer({ SLIPWAY_METRICS_INTERVAL_SECONDS: "3600", SLIPWAY_AUTOSCALE_INTERVAL_SECONDS: "3600" }, undefined, { servers: gateway });
    deps = server.app.deps;
    // No scheduled run (a roll-up on its own minute timer) may race the rounds this test runs.
    await deps.scheduler.close();
    deps.clock = clock;
    deps.config.metrics.intervalMs = 15_000;
    const service = await serviceRow(deps, "shop", "web");
    web = service;
    a = await serverRow(deps, "met-a");
    b = await serverRow(deps, "met-b", "SSH_HOST");
    for (const s of [a, b]) await deps.db.serviceServer.create({ data: { serviceId: service.id, serverId: s.id } });
    gateway.load.set(a.id, { cpuPercent: 40, sites: { "shop-web": { requestsPerSecond: 20, errorsPerSecond: 1, latencyMs: 30 } } });
    gateway.load.set(b.id, { cpuPercent: 10, sites: { "shop-web": { requestsPerSecond: 5 } } });
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function round(): Promise<Record<string, number>> {
    clock.nextSlot(15_000);
    return collectMetrics(deps);
  }

  it("collects every server once per slot, however often the round runs", async () => {
    expect(await round()).toEqual({ collected: 2, unreachable: 0, skipped: 0 });
    // The same slot again (another replica, or a rerun): nothing more is stored.
    expect(await collectMetrics(deps)).toEqual({ collected: 0, unreachable: 0, skipped: 2 });
    expect(await deps.db.serverMetric.count()).toBe(2);
    const [again] = await Promise.all([round(), collectMetrics(deps)]);
    expect(again.collected! + again.skipped!).toBe(2);
    expect(await deps.db.serverMetric.count({ where: { step: 0 } })).toBe(4);
    const latest = await deps.db.serviceMetric.findFirst({ where: { serverId: a.id }, orderBy: { at: "desc" } });
    expect(latest).toMatchObject({ reachable: true, requests: 300, errors: 15, intervalSeconds: 15 });
    const host = await deps.db.serverMetric.findFirst({ where: { serverId: a.id }, orderBy: { at: "desc" } });
    expect(host?.cpuPercent).toBe(40);
    expect((await deps.db.server.findUniqueOrThrow({ where: { id: a.id } })).lastSeenAt).not.toBeNull();
  });

  it("records a server that does not answer as a gap, shows it unreachable since then, and back when it answers", async () => {
    gateway.unreachable.add(b.id);
    expect(await round()).toMatchObject({ collected: 1, unreachable: 1 });
    const down = await deps.db.server.findUniqueOrThrow({ where: { id: b.id } });
    expect(down.status).toBe("UNREACHABLE");
    expect(down.unreachableSince).not.toBeNull();
    const gap = await deps.db.serverMetric.findFirst({ where: { serverId: b.id }, orderBy: { at: "desc" } });
    expect(gap).toMatchObject({ reachable: false, cpuPercent: null, memoryUsedBytes: null });
    expect(gap?.error).toMatch(/ECONNREFUSED/);
    expect(await deps.db.serviceMetric.findFirst({ where: { serverId: b.id }, orderBy: { at: "desc" } })).toMatchObject({ reachable: false, requests: null, cpuPercent: null });

    const listed = await server.gql(`query($id: ID!) { server(id: $id) { status unreachableSince lastSeenAt } }`, { id: gid("Server", b.id) }, server.adminToken);
    expect(listed.data.server).toMatchObject({ status: "UNREACHABLE", unreachableSince: down.unreachableSince!.toISOString() });

    gateway.unreachable.delete(b.id);
    expect(await round()).toMatchObject({ collected: 2 });
    // Answering metrics is not enough to count as back: the lost-server check first records what
    // it runs (and brings it in line), then it is ACTIVE.
    expect(await deps.db.server.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ status: "UNREACHABLE" });
    await checkUnreachableServers(deps);
    expect(await deps.db.server.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ status: "ACTIVE", unreachableSince: null });
  });

  it("tells an agent from before metrics (it answers, without figures) from a server that does not answer", async () => {
    gateway.oldAgents.add(b.id);
    expect(await round()).toMatchObject({ collected: 2, unreachable: 0 });
    const row = await deps.db.serverMetric.findFirst({ where: { serverId: b.id }, orderBy: { at: "desc" } });
    expect(row).toMatchObject({ reachable: true, cpuPercent: null });
    expect(row?.error).toMatch(/has no metrics endpoint: upgrade it$/);
    expect((await deps.db.server.findUniqueOrThrow({ where: { id: b.id } })).status).toBe("ACTIVE");
    gateway.oldAgents.delete(b.id);
  });

  it("answers time series per service (a series per server, gaps as gaps) and per server over the API", async () => {
    const to = clock.now();
    const from = new Date(to.getTime() - 5 * 60_000);
    const result = await server.gql(
      `query($id: ID!, $from: DateTime, $to: DateTime) { node(id: $id) { ... on Service {
        metrics(from: $from, to: $to, stepSeconds: 15) { stepSeconds series { serverName points { at reachable requestsPerSecond errorRate latencyP50Ms cpuPercent } } }
        currentMetrics { requestsPerSecond servers { server { name } reachable requestsPerSecond hostCpuPercent latencyP95Ms } }
      } } }`,
      { id: gid("Service", web.id), from: from.toISOString(), to: to.toISOString() },
      server.adminToken,
    );
    expect(result.errors).toBeUndefined();
    const { metrics, currentMetrics } = result.data.node;
    expect(metrics.series.map((s: { serverName: string }) => s.serverName)).toEqual(["met-a", "met-b"]);
    const bPoints = metrics.series[1].points.filter((p: { reachable: boolean | null }) => p.reachable !== null);
    // First collection: nothing to difference; then 5/s; then the gap; then 5/s again; then the old agent's answer.
    expect(bPoints.map((p: { reachable: boolean; requestsPerSecond: number | null }) => [p.reachable, p.requestsPerSecond])).toEqual([
      [true, null], [true, 5], [false, null], [true, 5], [true, null],
    ]);
    const aLast = metrics.series[0].points.filter((p: { requestsPerSecond: number | null }) => p.requestsPerSecond !== null).at(-1);
    expect(aLast).toMatchObject({ requestsPerSecond: 20, errorRate: 0.05 });
    expect(currentMetrics.requestsPerSecond).toBe(25);
    expect(currentMetrics.servers.map((s: { server: { name: string }; hostCpuPercent: number }) => [s.server.name, s.hostCpuPercent])).toEqual([["met-a", 40], ["met-b", 10]]);

    const host = await server.gql(
      `query($id: ID!) { server(id: $id) { metrics(stepSeconds: 60) { serverName points { reachable cpuPercent memoryUsedBytes diskFreeBytes } } } }`,
      { id: gid("Server", a.id) },
      server.adminToken,
    );
    const seen = host.data.server.metrics.points.filter((p: { reachable: boolean | null }) => p.reachable);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toMatchObject({ cpuPercent: 40, memoryUsedBytes: 512 * 1024 ** 2 });
  });

  it("refuses a bad range with a clear error", async () => {
    const result = await server.gql(`query($id: ID!) { node(id: $id) { ... on Service { metrics(stepSeconds: 1, from: "2026-01-01T00:00:00Z") { stepSeconds } } } }`, { id: gid("Service", web.id) }, server.adminToken);
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: "VALIDATION" } });
    expect(result.errors?.[0]?.message).toMatch(/^Invalid input: from: figures are kept 7 days/);
  });

  it("rolls complete minutes up once, then drops raw rows past their retention; the series read the same from either", async () => {
    for (let i = 0; i < 8; i++) await round();
    const range = { from: new Date(clock.now().getTime() - 10 * 60_000).toISOString(), to: clock.now().toISOString() };
    const series = `query($id: ID!, $from: DateTime, $to: DateTime) { node(id: $id) { ... on Service { metrics(stepSeconds: 60, from: $from, to: $to) { series { points { requestsPerSecond } } } } } }`;
    const before = await server.gql(series, { id: gid("Service", web.id), ...range }, server.adminToken);
    clock.advance(2 * 60_000);
    const first = await rollUpMetrics(deps);
    expect(first.minutes).toBeGreaterThan(0);
    expect(await rollUpMetrics(deps)).toEqual({ minutes: 0 });
    const minuteRows = await deps.db.serviceMetric.findMany({ where: { step: 60, serverId: a.id }, orderBy: { at: "asc" } });
    expect(minuteRows.length).toBeGreaterThan(1);
    // A minute of four collections that all counted requests: 20/s for 60 s.
    const full = minuteRows.find((r) => r.samples === 4 && r.intervalSeconds === 60);
    expect(full).toMatchObject({ requests: 1200, reachable: true, cpuPercent: null });
    const after = await server.gql(series, { id: gid("Service", web.id), ...range }, server.adminToken);
    expect(after.data.node.metrics.series[0].points.filter((p: { requestsPerSecond: number | null }) => p.requestsPerSecond === 20).length).toBeGreaterThan(1);
    expect(after.data.node.metrics.series[0].points.map((p: { requestsPerSecond: number | null }) => p.requestsPerSecond)).toEqual(
      before.data.node.metrics.series[0].points.map((p: { requestsPerSecond: number | null }) => p.requestsPerSecond),
    );

    deps.config.metrics.rawRetentionMs = 60_000;
    await rollUpMetrics(deps);
    expect(await deps.db.serverMetric.count({ where: { step: 0, at: { lt: new Date(clock.now().getTime() - 60_000) } } })).toBe(0);
    expect(await deps.db.serverMetric.count({ where: { step: 60 } })).toBeGreaterThan(0);
  });
});
