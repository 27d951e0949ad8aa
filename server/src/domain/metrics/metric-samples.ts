// From one answer of a server's agent (and what the collector kept from the previous one) to the
// rows stored for this collection: rates are differences of cumulative counters over the time
// between the two answers, so a figure covers the whole interval, never one short sample. Pure.
import { histogramQuantile, type AccessLogCursor, type MetricsResponse } from "@slipway/agent/protocol";

/** What the collector keeps between two collections of a server (ServerMetricsState). */
export interface CollectorState {
  /** The agent's clock at the previous answer (ms). */
  sampledAt: number | null;
  counters: Counters | null;
  logCursors: Record<string, AccessLogCursor>;
}

export interface Counters {
  cpu: { totalTicks: number; idleTicks: number } | null;
  /** Cumulative CPU nanoseconds per container id. */
  containers: Record<string, number>;
}

export interface ServerSample {
  reachable: true;
  cpuPercent: number | null;
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
  load1: number | null;
  diskFreeBytes: number | null;
  diskTotalBytes: number | null;
}

export interface ServiceSample {
  serviceId: string;
  reachable: true;
  /** Its containers' CPU, in % of one core. */
  cpuPercent: number | null;
  memoryBytes: number | null;
  intervalSeconds: number | null;
  requests: number | null;
  errors: number | null;
  latencyHistogram: number[] | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

/** A service that runs on the server, and the name its containers and access log carry there. */
export interface ServiceOnServer {
  serviceId: string;
  agentName: string;
}

export interface Samples {
  server: ServerSample;
  services: ServiceSample[];
  next: CollectorState;
}

export function samplesFrom(previous: CollectorState, answer: MetricsResponse, services: readonly ServiceOnServer[]): Samples {
  const elapsedMs = previous.sampledAt === null ? null : answer.sampledAt - previous.sampledAt;
  // A first answer, or a clock that went backwards: nothing to difference against.
  const comparable = elapsedMs !== null && elapsedMs > 0 && previous.counters !== null;
  const seconds = comparable ? elapsedMs / 1000 : null;
  const { host } = answer;

  const server: ServerSample = {
    reachable: true,
    cpuPercent: comparable ? cpuPercent(previous.counters!.cpu, host.cpu) : null,
    memoryUsedBytes: host.memory ? host.memory.totalBytes - host.memory.availableBytes : null,
    memoryTotalBytes: host.memory?.totalBytes ?? null,
    load1: host.load?.one ?? null,
    diskFreeBytes: host.disk?.freeBytes ?? null,
    diskTotalBytes: host.disk?.totalBytes ?? null,
  };

  const serviceSamples = services.map(({ serviceId, agentName }): ServiceSample => {
    const containers = answer.containers.filter((c) => c.service === agentName);
    const site = answer.sites.find((s) => s.service === agentName);
    // Only containers seen last time too have a CPU difference (a new release's container starts at 0).
    const measured = comparable ? containers.filter((c) => previous.counters!.containers[c.containerId] !== undefined) : [];
    const cpuNs = measured.reduce((sum, c) => sum + Math.max(0, c.cpuUsageNs - previous.counters!.containers[c.containerId]!), 0);
    const traffic = seconds !== null && site?.continued ? site : null;
    return {
      serviceId,
      reachable: true,
      cpuPercent: measured.length > 0 && seconds !== null ? round2((100 * cpuNs) / (seconds * 1e9)) : null,
      memoryBytes: containers.length > 0 ? containers.reduce((sum, c) => sum + c.memoryBytes, 0) : null,
      intervalSeconds: traffic ? seconds : null,
      requests: traffic?.requests ?? null,
      errors: traffic?.errors ?? null,
      latencyHistogram: traffic?.latencyHistogram ?? null,
      latencyP50Ms: traffic ? rounded(histogramQuantile(traffic.latencyHistogram, 0.5)) : null,
      latencyP95Ms: traffic ? rounded(histogramQuantile(traffic.latencyHistogram, 0.95)) : null,
    };
  });

  return {
    server,
    services: serviceSamples,
    next: {
      sampledAt: answer.sampledAt,
      counters: {
        cpu: host.cpu ? { totalTicks: host.cpu.totalTicks, idleTicks: host.cpu.idleTicks } : null,
        containers: Object.fromEntries(answer.containers.map((c) => [c.containerId, c.cpuUsageNs])),
      },
      // Every log the agent reported, also of services not (or no longer) known here: no re-reading.
      logCursors: Object.fromEntries(answer.sites.map((s) => [s.service, s.cursor])),
    },
  };
}

/** The share of the interval the CPUs were not idle; null when the counters went backwards (a reboot). */
function cpuPercent(before: Counters["cpu"], now: MetricsResponse["host"]["cpu"]): number | null {
  if (!before || !now) return null;
  const total = now.totalTicks - before.totalTicks;
  const idle = now.idleTicks - before.idleTicks;
  if (total <= 0 || idle < 0 || idle > total) return null;
  return round2((100 * (total - idle)) / total);
}

function rounded(value: number | null): number | null {
  return value === null ? null : round2(value);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
