// The figures `slipway metrics <service>` prints: per server of the service, its latest
// collections merged over a short window (so one quiet collection does not read as zero), and the
// service's totals. A server whose latest collections all failed is shown unreachable.
import type { Server } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { NotFoundError } from "../errors.js";
import { errorRate, mergeServerRows, mergeServiceRows, perSecond } from "./aggregate.js";
import { RAW_STEP } from "./collect-metrics.js";

export interface CurrentServerFigures {
  server: Server;
  /** Null: nothing collected in the window. */
  reachable: boolean | null;
  hostCpuPercent: number | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
  requestsPerSecond: number | null;
  errorRate: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export interface CurrentServiceFigures {
  windowSeconds: number;
  /** The newest collection in the window, if any. */
  at: Date | null;
  servers: CurrentServerFigures[];
  requestsPerSecond: number | null;
  errorRate: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export async function currentServiceMetrics(deps: Deps, serviceId: string): Promise<CurrentServiceFigures> {
  const service = await deps.db.service.findUnique({ where: { id: serviceId }, include: { servers: { include: { server: true }, orderBy: { server: { name: "asc" } } } } });
  if (!service) throw new NotFoundError("Service");
  const windowMs = Math.max(60_000, 3 * deps.config.metrics.intervalMs);
  const since = new Date(deps.clock.now().getTime() - windowMs);
  const serverIds = service.servers.map((s) => s.serverId);
  const [serviceRows, serverRows] = await Promise.all([
    deps.db.serviceMetric.findMany({ where: { serviceId, step: RAW_STEP, at: { gte: since } } }),
    deps.db.serverMetric.findMany({ where: { serverId: { in: serverIds }, step: RAW_STEP, at: { gte: since } } }),
  ]);
  const servers = service.servers.map(({ server }) => {
    const own = serviceRows.filter((r) => r.serverId === server.id);
    const host = serverRows.filter((r) => r.serverId === server.id);
    const merged = own.length > 0 ? mergeServiceRows(own) : null;
    return {
      server,
      reachable: merged?.reachable ?? (host.length > 0 ? mergeServerRows(host).reachable : null),
      hostCpuPercent: host.length > 0 ? mergeServerRows(host).cpuPercent : null,
      cpuPercent: merged?.cpuPercent ?? null,
      memoryBytes: merged?.memoryBytes ?? null,
      requestsPerSecond: merged ? perSecond(merged.requests, merged.intervalSeconds) : null,
      errorRate: merged ? errorRate(merged) : null,
      latencyP50Ms: merged?.latencyP50Ms ?? null,
      latencyP95Ms: merged?.latencyP95Ms ?? null,
    };
  });
  const total = serviceRows.length > 0 ? mergeServiceRows(serviceRows) : null;
  const rates = servers.map((s) => s.requestsPerSecond).filter((r): r is number => r !== null);
  return {
    windowSeconds: windowMs / 1000,
    at: serviceRows.reduce<Date | null>((latest, r) => (latest === null || r.at > latest ? r.at : latest), null),
    servers,
    // Servers are collected side by side: the service's rate is the sum of theirs.
    requestsPerSecond: rates.length > 0 ? Math.round(rates.reduce((a, b) => a + b, 0) * 1000) / 1000 : null,
    errorRate: total ? errorRate(total) : null,
    latencyP50Ms: total?.latencyP50Ms ?? null,
    latencyP95Ms: total?.latencyP95Ms ?? null,
  };
}
