// POST /v1/metrics: what the control plane collects from every server on a schedule. The agent
// reports cumulative counters (CPU ticks, container CPU nanoseconds) and what nginx logged since
// the cursors the control plane sends back each time, so the agent keeps no state between calls
// and rates are the difference of two collections, never one short sample.
import { z } from "zod";
import { ServiceName } from "./service-name.js";

/** Upper bounds (ms) of the request-latency histogram; one more bucket counts everything slower. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] as const;

/** Where a site's access log was read to: the file (by inode) and the byte after the last whole line. */
export const AccessLogCursor = z.object({ inode: z.string().regex(/^\d{1,24}$/), offset: z.number().int().min(0) });
export type AccessLogCursor = z.infer<typeof AccessLogCursor>;

export const MetricsRequest = z.object({
  /** Per service, where its access log was read to last time; a service without one starts at the log's end. */
  accessLogCursors: z.record(ServiceName, AccessLogCursor).default({}),
});
export type MetricsRequest = z.infer<typeof MetricsRequest>;

export const LatencyHistogram = z.array(z.number().int().min(0)).length(LATENCY_BUCKETS_MS.length + 1);

export const SiteTraffic = z.object({
  service: ServiceName,
  cursor: AccessLogCursor,
  /** False when the log had no cursor to continue from: the figures cover nothing yet. */
  continued: z.boolean(),
  requests: z.number().int().min(0),
  /** Responses with a 5xx status. */
  errors: z.number().int().min(0),
  latencyHistogram: LatencyHistogram,
  /** Bytes jumped over because the log grew faster than one read may take; their requests are not counted. */
  skippedBytes: z.number().int().min(0),
  /** Lines that were not Slipway's JSON format (written before the site had it). */
  unparsedLines: z.number().int().min(0),
});
export type SiteTraffic = z.infer<typeof SiteTraffic>;

export const MetricsResponse = z.object({
  /** The agent's clock (ms since the epoch) when the counters were read. */
  sampledAt: z.number(),
  host: z.object({
    /** Cumulative jiffies of the aggregate "cpu" line of /proc/stat (idle includes iowait). */
    cpu: z.object({ totalTicks: z.number(), idleTicks: z.number(), cores: z.number().int().min(1) }).nullable(),
    memory: z.object({ totalBytes: z.number(), availableBytes: z.number() }).nullable(),
    load: z.object({ one: z.number(), five: z.number(), fifteen: z.number() }).nullable(),
    disk: z.object({ path: z.string(), totalBytes: z.number(), freeBytes: z.number() }).nullable(),
  }),
  /** Every running Slipway container. */
  containers: z.array(
    z.object({
      service: z.string(),
      containerId: z.string(),
      /** Cumulative CPU time the container used, in nanoseconds. */
      cpuUsageNs: z.number(),
      /** Memory in use minus page cache, like `docker stats`. */
      memoryBytes: z.number(),
    }),
  ),
  sites: z.array(SiteTraffic),
});
export type MetricsResponse = z.infer<typeof MetricsResponse>;

/** Which latency bucket a request of `ms` milliseconds falls in. */
export function latencyBucket(ms: number): number {
  const index = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return index === -1 ? LATENCY_BUCKETS_MS.length : index;
}

/**
 * The q-quantile (0..1) of a latency histogram, interpolated linearly inside its bucket (as
 * Prometheus' histogram_quantile does); the open last bucket answers its lower bound. Null when
 * the histogram is empty.
 */
export function histogramQuantile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i] ?? 0;
    if (count > 0 && below + count >= rank) {
      if (i >= LATENCY_BUCKETS_MS.length) return LATENCY_BUCKETS_MS.at(-1)!;
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
      const upper = LATENCY_BUCKETS_MS[i]!;
      return lower + ((upper - lower) * (rank - below)) / count;
    }
    below += count;
  }
  return LATENCY_BUCKETS_MS.at(-1)!;
}

/** Adds histograms bucket by bucket. */
export function addHistograms(into: number[], more: readonly number[]): number[] {
  for (let i = 0; i < more.length; i++) into[i] = (into[i] ?? 0) + (more[i] ?? 0);
  return into;
}

export function emptyHistogram(): number[] {
  return new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
}

/** POST /v1/services/:service/retire — stop routing to the service here, drain, stop its containers. */
export const RetireRequest = z.object({ drainSeconds: z.number().min(0).max(300).default(2) });
export const RetireResult = z.object({ siteRemoved: z.boolean(), stoppedContainers: z.array(z.string()) });
export type RetireResult = z.infer<typeof RetireResult>;
