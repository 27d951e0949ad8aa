// How many servers one target asks for, the way Kubernetes' HPA computes replicas:
// desired = ceil(current × observed / target), no change within a 10% tolerance. Servers still
// warming up and servers without figures are handled conservatively: when the others ask for more,
// those without figures count as idle and warming ones as idle; when the others ask for fewer,
// those without figures count as exactly at the target and warming ones are left out. If that
// changes the direction (or lands within the tolerance), nothing changes. Pure.

export const TOLERANCE = 0.1;

export interface ServerObservation {
  serverId: string;
  name: string;
  /** Joined the service longer than the policy's warm-up ago. */
  warm: boolean;
  /** Host CPU utilisation (%), averaged over the last collections; null without figures. */
  cpuPercent: number | null;
  /** Requests per second this server's nginx served for the service; null without figures. */
  requestsPerSecond: number | null;
  /** Shown as unreachable: never removed until it answers again. */
  unreachable: boolean;
  /** Created by this policy: the only servers it may remove. */
  removable: boolean;
  joinedAt: Date;
}

export type ScaleMetricName = "CPU" | "REQUESTS";

export interface MetricRecommendation {
  metric: ScaleMetricName;
  /** Average per server of the servers counted (after filling in the missing ones). */
  usage: number;
  target: number;
  /** Servers whose figures (real or assumed) made the average. */
  counted: number;
  /** Servers without figures, and servers still warming up, assumed or left out as above. */
  missing: number;
  warming: number;
  recommended: number;
}

export function recommendForMetric(
  metric: ScaleMetricName,
  servers: readonly ServerObservation[],
  target: number,
  valueOf: (server: ServerObservation) => number | null,
): MetricRecommendation | null {
  const current = servers.length;
  const ready = servers.filter((s) => s.warm && valueOf(s) !== null).map((s) => valueOf(s)!);
  const missing = servers.filter((s) => s.warm && valueOf(s) === null).length;
  const warming = servers.filter((s) => !s.warm).length;
  if (ready.length === 0) return null; // nothing to go on: no recommendation from this target

  const usage = mean(ready);
  const ratio = usage / target;
  const base = { metric, target, missing, warming };
  const scaleUp = ratio > 1;
  if (missing === 0 && (warming === 0 || !scaleUp)) {
    const recommended = Math.abs(ratio - 1) <= TOLERANCE ? current : Math.ceil(ratio * ready.length);
    return { ...base, usage, counted: ready.length, recommended: Math.max(1, recommended) };
  }

  // Fill in conservatively, then compute again.
  const filled = [...ready, ...new Array<number>(missing).fill(scaleUp ? 0 : target), ...(scaleUp ? new Array<number>(warming).fill(0) : [])];
  const newUsage = mean(filled);
  const newRatio = newUsage / target;
  const flipped = scaleUp ? newRatio < 1 : newRatio > 1;
  if (Math.abs(newRatio - 1) <= TOLERANCE || flipped) return { ...base, usage: newUsage, counted: filled.length, recommended: current };
  const recommended = Math.ceil(newRatio * filled.length);
  // Filling in may never turn a scale-up into fewer servers, or a scale-down into more.
  const bounded = scaleUp ? Math.max(recommended, current) : Math.min(recommended, current);
  return { ...base, usage: newUsage, counted: filled.length, recommended: Math.max(1, bounded) };
}

/** "CPU 82% over 3 servers, target 60% → 5 servers" */
export function describeRecommendation(r: MetricRecommendation): string {
  const figure = r.metric === "CPU" ? `CPU ${formatNumber(r.usage)}%` : `requests ${formatNumber(r.usage)}/s per server`;
  const target = r.metric === "CPU" ? `${formatNumber(r.target)}%` : `${formatNumber(r.target)}/s`;
  const assumed = [
    r.missing > 0 ? `${r.missing} without figures` : null,
    r.warming > 0 ? `${r.warming} warming up` : null,
  ].filter(Boolean);
  return `${figure} over ${plural(r.counted, "server")}${assumed.length ? ` (${assumed.join(", ")})` : ""}, target ${target} → ${plural(r.recommended, "server")}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function formatNumber(n: number): string {
  return n >= 100 || Number.isInteger(n) ? String(Math.round(n)) : n.toFixed(1);
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
