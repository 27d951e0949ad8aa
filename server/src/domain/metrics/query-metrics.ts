// Time series for the API: per service (one series per server that ran it in the range) and per
// server, over a range and step (time-range.ts). Rows come from the one-minute roll-ups where
// they exist and the raw collections after them, merged into buckets the same way roll-ups are
// (aggregate.ts); a bucket without any row is null (nothing was collected), one with only
// unreachable rows says `reachable: false`: a gap, never zeros.
import type { AutoscaleDecision } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { NotFoundError } from "../errors.js";
import { errorRate, mergeServerRows, mergeServiceRows, perSecond, type MergedServerRow, type MergedServiceRow } from "./aggregate.js";
import { RAW_STEP } from "./collect-metrics.js";
import { MINUTE_STEP } from "./roll-up-metrics.js";
import { bucketOf, bucketStart, resolveTimeRange, type RangeInput, type TimeRange } from "./time-range.js";

export interface ServicePoint {
  at: Date;
  /** Null: nothing collected in this bucket. False: the server did not answer. */
  reachable: boolean | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
  requestsPerSecond: number | null;
  errorsPerSecond: number | null;
  errorRate: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export interface ServerPoint {
  at: Date;
  reachable: boolean | null;
  cpuPercent: number | null;
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
  load1: number | null;
  diskFreeBytes: number | null;
  diskTotalBytes: number | null;
}

export interface ServiceSeries {
  serverId: string;
  serverName: string;
  points: ServicePoint[];
}

export interface ServiceMetrics extends TimeRange {
  series: ServiceSeries[];
  /** Scaling decisions that acted, for marking on the charts. */
  scaleEvents: AutoscaleDecision[];
}

export interface ServerMetrics extends TimeRange {
  serverName: string;
  points: ServerPoint[];
  scaleEvents: AutoscaleDecision[];
}

export async function serviceMetrics(deps: Deps, serviceId: string, input: RangeInput): Promise<ServiceMetrics> {
  const range = rangeFor(deps, input);
  const service = await deps.db.service.findUnique({ where: { id: serviceId }, select: { id: true } });
  if (!service) throw new NotFoundError("Service");
  const rows = await sourceRows(deps, range, (where) => deps.db.serviceMetric.findMany({ where: { serviceId, ...where }, orderBy: { at: "asc" } }));
  const byServer = new Map<string, (typeof rows)[]>();
  for (const row of rows) {
    const index = bucketOf(range, row.at);
    if (index < 0) continue;
    const buckets = byServer.get(row.serverId) ?? Array.from({ length: range.bucketCount }, () => []);
    buckets[index]!.push(row);
    byServer.set(row.serverId, buckets);
  }
  const names = await serverNames(deps, [...byServer.keys()]);
  const series = [...byServer].map(([serverId, buckets]) => ({
    serverId,
    serverName: names.get(serverId) ?? serverId.slice(0, 8),
    points: buckets.map((bucket, i) => servicePoint(bucketStart(range, i), bucket.length > 0 ? mergeServiceRows(bucket) : null)),
  }));
  series.sort((a, b) => a.serverName.localeCompare(b.serverName));
  return { ...range, series, scaleEvents: await scaleEvents(deps, range, [serviceId]) };
}

export async function serverMetrics(deps: Deps, serverId: string, input: RangeInput): Promise<ServerMetrics> {
  const range = rangeFor(deps, input);
  const names = await serverNames(deps, [serverId]);
  if (!names.has(serverId)) throw new NotFoundError("Server");
  const rows = await sourceRows(deps, range, (where) => deps.db.serverMetric.findMany({ where: { serverId, ...where }, orderBy: { at: "asc" } }));
  const buckets = Array.from({ length: range.bucketCount }, () => [] as typeof rows);
  for (const row of rows) {
    const index = bucketOf(range, row.at);
    if (index >= 0) buckets[index]!.push(row);
  }
  const services = await deps.db.serviceServer.findMany({ where: { serverId }, select: { serviceId: true } });
  const created = await deps.db.autoscaledServer.findUnique({ where: { serverId }, select: { serviceId: true } });
  const serviceIds = [...new Set([...services.map((s) => s.serviceId), ...(created ? [created.serviceId] : [])])];
  return {
    ...range,
    serverName: names.get(serverId)!,
    points: buckets.map((bucket, i) => serverPoint(bucketStart(range, i), bucket.length > 0 ? mergeServerRows(bucket) : null)),
    scaleEvents: await scaleEvents(deps, range, serviceIds),
  };
}

function rangeFor(deps: Deps, input: RangeInput): TimeRange {
  return resolveTimeRange(input, { now: deps.clock.now(), intervalMs: deps.config.metrics.intervalMs, retentionMs: deps.config.metrics.minuteRetentionMs });
}

type AtFilter = { step: number; at: { gte: Date; lt: Date } };

/**
 * Minute roll-ups up to where raw rows take over: for steps of a minute or more, up to where
 * roll-ups have got; for finer steps, up to the oldest raw row still kept.
 */
async function sourceRows<R>(deps: Deps, range: TimeRange, read: (where: AtFilter) => Promise<R[]>): Promise<R[]> {
  const end = new Date(range.from.getTime() + range.bucketCount * range.stepSeconds * 1000);
  const rolled = (await deps.db.metricRollup.findUnique({ where: { id: "minute" } }))?.through.getTime() ?? range.from.getTime();
  const rawKept = deps.clock.now().getTime() - deps.config.metrics.rawRetentionMs;
  const boundary = new Date(Math.min(end.getTime(), Math.max(range.from.getTime(), range.stepSeconds >= MINUTE_STEP ? rolled : Math.min(rolled, rawKept))));
  const [minutes, raw] = await Promise.all([
    boundary > range.from ? read({ step: MINUTE_STEP, at: { gte: range.from, lt: boundary } }) : Promise.resolve([]),
    boundary < end ? read({ step: RAW_STEP, at: { gte: boundary, lt: end } }) : Promise.resolve([]),
  ]);
  return [...minutes, ...raw];
}

/** Servers' names: of those that exist, and of removed ones as the collector last knew them. */
async function serverNames(deps: Deps, ids: string[]): Promise<Map<string, string>> {
  const [servers, states] = await Promise.all([
    deps.db.server.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }),
    deps.db.serverMetricsState.findMany({ where: { serverId: { in: ids } }, select: { serverId: true, serverName: true } }),
  ]);
  return new Map([...states.map((s) => [s.serverId, s.serverName] as const), ...servers.map((s) => [s.id, s.name] as const)]);
}

async function scaleEvents(deps: Deps, range: TimeRange, serviceIds: string[]): Promise<AutoscaleDecision[]> {
  if (serviceIds.length === 0) return [];
  return deps.db.autoscaleDecision.findMany({
    where: { serviceId: { in: serviceIds }, action: { not: "NONE" }, at: { gte: range.from, lte: range.to } },
    orderBy: { at: "asc" },
    take: 500,
  });
}

function servicePoint(at: Date, merged: MergedServiceRow | null): ServicePoint {
  if (!merged) return { at, reachable: null, cpuPercent: null, memoryBytes: null, requestsPerSecond: null, errorsPerSecond: null, errorRate: null, latencyP50Ms: null, latencyP95Ms: null };
  return {
    at,
    reachable: merged.reachable,
    cpuPercent: merged.cpuPercent,
    memoryBytes: merged.memoryBytes,
    requestsPerSecond: perSecond(merged.requests, merged.intervalSeconds),
    errorsPerSecond: perSecond(merged.errors, merged.intervalSeconds),
    errorRate: errorRate(merged),
    latencyP50Ms: merged.latencyP50Ms,
    latencyP95Ms: merged.latencyP95Ms,
  };
}

function serverPoint(at: Date, merged: MergedServerRow | null): ServerPoint {
  if (!merged) return { at, reachable: null, cpuPercent: null, memoryUsedBytes: null, memoryTotalBytes: null, load1: null, diskFreeBytes: null, diskTotalBytes: null };
  const { samples: _samples, error: _error, ...figures } = merged;
  return { at, ...figures };
}
