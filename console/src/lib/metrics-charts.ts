// From the API's metrics to what a chart draws: one x axis (seconds), one line per server (null
// where nothing was collected or the server did not answer: a gap, never a zero), the values in
// the chart's unit, and the scaling decisions to mark. Pure.
import type { ServerMetricsQuery, ServiceMetricsQuery } from "@slipway/sdk";

export interface ChartLine {
  label: string;
  values: (number | null)[];
  /** A second figure of the same server (p50 beside p95) is drawn dashed. */
  dashed?: boolean;
}

export interface ChartMarker {
  /** Seconds since the epoch. */
  at: number;
  direction: "out" | "in";
  label: string;
}

export interface ChartData {
  x: number[];
  lines: ChartLine[];
}

export type ServiceMetrics = Extract<NonNullable<ServiceMetricsQuery["node"]>, { __typename: "Service" }>["metrics"];
export type ServerMetrics = NonNullable<ServerMetricsQuery["server"]>["metrics"];
type ServicePoint = ServiceMetrics["series"][number]["points"][number];
type ServerPoint = ServerMetrics["points"][number];

export type ServiceChartKind = "cpu" | "memory" | "requests" | "latency" | "errors";
export type ServerChartKind = "cpu" | "memory" | "load" | "disk";

const MIB = 1024 * 1024;

const serviceFigures: Record<ServiceChartKind, { pick: (p: ServicePoint) => number | null; second?: (p: ServicePoint) => number | null; names?: [string, string] }> = {
  cpu: { pick: (p) => p.cpuPercent },
  memory: { pick: (p) => (p.memoryBytes === null ? null : p.memoryBytes / MIB) },
  requests: { pick: (p) => p.requestsPerSecond },
  latency: { pick: (p) => p.latencyP95Ms, second: (p) => p.latencyP50Ms, names: ["p95", "p50"] },
  errors: { pick: (p) => p.errorsPerSecond },
};

export function serviceChart(metrics: ServiceMetrics, kind: ServiceChartKind): ChartData {
  const x = timeAxis(metrics.series[0]?.points ?? [], metrics);
  const figure = serviceFigures[kind];
  const lines = metrics.series.flatMap((series): ChartLine[] => {
    const main = { label: figure.names ? `${series.serverName} ${figure.names[0]}` : series.serverName, values: series.points.map(figure.pick) };
    if (!figure.second) return [main];
    return [main, { label: `${series.serverName} ${figure.names![1]}`, values: series.points.map(figure.second), dashed: true }];
  });
  return { x, lines };
}

const serverFigures: Record<ServerChartKind, (p: ServerPoint) => number | null> = {
  cpu: (p) => p.cpuPercent,
  memory: (p) => (p.memoryUsedBytes === null ? null : p.memoryUsedBytes / MIB),
  load: (p) => p.load1,
  disk: (p) => (p.diskFreeBytes === null ? null : p.diskFreeBytes / (1024 * MIB)),
};

export function serverChart(metrics: ServerMetrics, name: string, kind: ServerChartKind): ChartData {
  return { x: timeAxis(metrics.points, metrics), lines: [{ label: name, values: metrics.points.map(serverFigures[kind]) }] };
}

/** Scaling decisions that acted, in words: "Scaled out 1 → 3: <why>". */
export function scaleMarkers(events: ServiceMetrics["scaleEvents"]): ChartMarker[] {
  return events.map((e) => ({
    at: Math.floor(new Date(e.at).getTime() / 1000),
    direction: e.action === "SCALE_IN" ? "in" : "out",
    label: `Scaled ${e.action === "SCALE_IN" ? "in" : "out"} ${e.currentServers} → ${e.desiredServers}: ${e.reason}`,
  }));
}

/** Points of every series share one axis: the buckets of the range. */
function timeAxis(points: readonly { at: string }[], range: { from: string; stepSeconds: number }): number[] {
  if (points.length > 0) return points.map((p) => Math.floor(new Date(p.at).getTime() / 1000));
  const start = Math.floor(new Date(range.from).getTime() / 1000);
  return [start, start + range.stepSeconds];
}

export interface TimeRangeOption {
  id: string;
  label: string;
  seconds: number;
}

export const TIME_RANGES: TimeRangeOption[] = [
  { id: "15m", label: "15 minutes", seconds: 15 * 60 },
  { id: "1h", label: "1 hour", seconds: 3600 },
  { id: "6h", label: "6 hours", seconds: 6 * 3600 },
  { id: "24h", label: "24 hours", seconds: 24 * 3600 },
  { id: "7d", label: "7 days", seconds: 7 * 24 * 3600 },
];

/** The query's range for a picker choice, ending now (the API picks the step). */
export function rangeVariables(id: string, now: Date = new Date()): { from: string; to: string } {
  const option = TIME_RANGES.find((r) => r.id === id) ?? TIME_RANGES[1]!;
  return { from: new Date(now.getTime() - option.seconds * 1000).toISOString(), to: now.toISOString() };
}

/**
 * A line's value now, for the legend ("web-1 12.5"): the newest of its last few points (the newest
 * interval may not be collected yet); null for a server that stopped reporting before that.
 */
export function currentValue(values: readonly (number | null)[], recent = 4): number | null {
  for (let i = values.length - 1; i >= Math.max(0, values.length - recent); i--) if (values[i] !== null && values[i] !== undefined) return values[i]!;
  return null;
}
