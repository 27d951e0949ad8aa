// Merging stored rows, for roll-ups (raw rows into one minute) and for time series (rows into one
// bucket of a chart). Raw and rolled-up rows merge alike: gauges are averaged weighted by how many
// collections each row stands for, counts are added, latency histograms are added and the
// percentiles read from the sum. Rows of unreachable collections only say so: they never pull an
// average towards zero. Pure.
import { addHistograms, emptyHistogram, histogramQuantile } from "@slipway/agent/protocol";

export interface ServerRow {
  reachable: boolean;
  samples: number;
  cpuPercent: number | null;
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
  load1: number | null;
  diskFreeBytes: number | null;
  diskTotalBytes: number | null;
  error?: string | null;
}

export interface ServiceRow {
  reachable: boolean;
  samples: number;
  cpuPercent: number | null;
  memoryBytes: number | null;
  intervalSeconds: number | null;
  requests: number | null;
  errors: number | null;
  latencyHistogram: unknown;
  latencyP50Ms?: number | null;
  latencyP95Ms?: number | null;
}

export type MergedServerRow = Required<ServerRow>;

export interface MergedServiceRow {
  reachable: boolean;
  samples: number;
  cpuPercent: number | null;
  memoryBytes: number | null;
  intervalSeconds: number | null;
  requests: number | null;
  errors: number | null;
  latencyHistogram: number[] | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export function mergeServerRows(rows: readonly ServerRow[]): MergedServerRow {
  const seen = rows.filter((r) => r.reachable);
  return {
    reachable: seen.length > 0,
    samples: sampleCount(rows, seen),
    cpuPercent: weightedMean(seen, (r) => r.cpuPercent),
    memoryUsedBytes: weightedMean(seen, (r) => r.memoryUsedBytes),
    memoryTotalBytes: weightedMean(seen, (r) => r.memoryTotalBytes),
    load1: weightedMean(seen, (r) => r.load1),
    diskFreeBytes: weightedMean(seen, (r) => r.diskFreeBytes),
    diskTotalBytes: weightedMean(seen, (r) => r.diskTotalBytes),
    error: seen.length > 0 ? null : (rows.findLast((r) => r.error)?.error ?? null),
  };
}

export function mergeServiceRows(rows: readonly ServiceRow[]): MergedServiceRow {
  const seen = rows.filter((r) => r.reachable);
  const counted = seen.filter((r) => r.requests !== null && r.intervalSeconds !== null);
  const histogram = counted.length > 0 ? counted.reduce((sum, r) => addHistograms(sum, histogramOf(r)), emptyHistogram()) : null;
  return {
    reachable: seen.length > 0,
    samples: sampleCount(rows, seen),
    cpuPercent: weightedMean(seen, (r) => r.cpuPercent),
    memoryBytes: weightedMean(seen, (r) => r.memoryBytes),
    intervalSeconds: counted.length > 0 ? round(counted.reduce((s, r) => s + r.intervalSeconds!, 0), 3) : null,
    requests: counted.length > 0 ? counted.reduce((s, r) => s + r.requests!, 0) : null,
    errors: counted.length > 0 ? counted.reduce((s, r) => s + (r.errors ?? 0), 0) : null,
    latencyHistogram: histogram,
    latencyP50Ms: histogram ? roundOrNull(histogramQuantile(histogram, 0.5)) : null,
    latencyP95Ms: histogram ? roundOrNull(histogramQuantile(histogram, 0.95)) : null,
  };
}

/** Per second over the time the counts cover; null when nothing was counted. */
export function perSecond(count: number | null, seconds: number | null): number | null {
  return count === null || seconds === null || seconds <= 0 ? null : round(count / seconds, 3);
}

/** Errors over requests; null without requests (no traffic has no error rate). */
export function errorRate(row: Pick<MergedServiceRow, "errors" | "requests">): number | null {
  return row.requests === null || row.requests === 0 ? null : round((row.errors ?? 0) / row.requests, 4);
}

/** How many reachable collections a merged row stands for (the weight of its averages); all, when none was. */
function sampleCount(rows: readonly { samples: number }[], seen: readonly { samples: number }[]): number {
  return (seen.length > 0 ? seen : rows).reduce((n, r) => n + r.samples, 0);
}

function histogramOf(row: ServiceRow): number[] {
  return Array.isArray(row.latencyHistogram) ? (row.latencyHistogram as number[]) : emptyHistogram();
}

function weightedMean<R extends { samples: number }>(rows: readonly R[], value: (row: R) => number | null): number | null {
  let sum = 0;
  let weight = 0;
  for (const row of rows) {
    const v = value(row);
    if (v === null) continue;
    sum += v * row.samples;
    weight += row.samples;
  }
  return weight === 0 ? null : round(sum / weight, 2);
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round(value, 2);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
