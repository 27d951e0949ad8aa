// POST /v1/metrics: the host's cumulative counters, every Slipway container's CPU time and memory,
// and what each service's nginx access log recorded since the control plane's cursor.
import { statfs } from "node:fs/promises";
import { labelFilters } from "../commands/docker.js";
import { ACCESS_LOG_DIR, accessLogPath, accessLogService } from "../commands/nginx.js";
import { containerUsage, type DockerStatsSample } from "../metrics.js";
import { LABELS, type MetricsRequest, type MetricsResponse } from "../protocol/index.js";
import { parseCpuCounters, parseLoadavg, parseMemory } from "../telemetry/host.js";
import { readLogIncrement } from "../telemetry/log-reader.js";
import type { AgentDeps } from "./deps.js";

type ContainerFigures = MetricsResponse["containers"][number];

export async function collectMetrics(deps: AgentDeps, request: MetricsRequest, logDir: string = ACCESS_LOG_DIR): Promise<MetricsResponse> {
  const [procStat, meminfo, loadavg, disk, containers, sites] = await Promise.all([
    deps.exec.readFile("/proc/stat"),
    deps.exec.readFile("/proc/meminfo"),
    deps.exec.readFile("/proc/loadavg"),
    diskFigures("/"),
    containerFigures(deps),
    siteTraffic(deps, request, logDir),
  ]);
  return {
    sampledAt: Date.now(),
    host: {
      cpu: procStat === null ? null : parseCpuCounters(procStat),
      memory: meminfo === null ? null : parseMemory(meminfo),
      load: loadavg === null ? null : parseLoadavg(loadavg),
      disk,
    },
    containers,
    sites,
  };
}

async function diskFigures(path: string): Promise<MetricsResponse["host"]["disk"]> {
  try {
    const s = await statfs(path);
    return { path, totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
  } catch {
    return null;
  }
}

async function containerFigures(deps: AgentDeps): Promise<ContainerFigures[]> {
  // Serving containers only: a paused standby (kept for a quick rollback) serves nothing.
  const running = (await deps.docker.listContainers({ filters: labelFilters() })).filter((c) => c.State === "running");
  const figures = await Promise.all(
    running.map(async (c): Promise<ContainerFigures | null> => {
      try {
        // One-shot: the counters as they are now, without Docker's second sample a second later.
        const s = (await deps.docker.getContainer(c.Id).stats({ stream: false, "one-shot": true } as { stream: false })) as unknown as DockerStatsSample;
        return { service: c.Labels[LABELS.service] ?? "", containerId: c.Id, cpuUsageNs: s.cpu_stats?.cpu_usage?.total_usage ?? 0, memoryBytes: containerUsage(s).memoryBytes };
      } catch {
        return null; // it stopped between the list and the stats
      }
    }),
  );
  return figures.filter((f): f is ContainerFigures => f !== null);
}

/** Every service with an access log here, read on from its cursor. */
async function siteTraffic(deps: AgentDeps, request: MetricsRequest, logDir: string): Promise<MetricsResponse["sites"]> {
  const services = (await deps.exec.listDir(logDir)).map(accessLogService).filter((s): s is string => s !== null);
  const sites = await Promise.all(
    services.map(async (service) => {
      const read = await readLogIncrement(accessLogPath(service, logDir), request.accessLogCursors[service]);
      if (!read) return null;
      return {
        service,
        cursor: read.cursor,
        continued: read.continued,
        requests: read.summary.requests,
        errors: read.summary.errors,
        latencyHistogram: read.summary.latencyHistogram,
        skippedBytes: read.skippedBytes,
        unparsedLines: read.summary.unparsedLines,
      };
    }),
  );
  return sites.filter((s) => s !== null).sort((a, b) => a.service.localeCompare(b.service));
}
