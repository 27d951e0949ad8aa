// Machine and per-container usage.
import { setTimeout as sleep } from "node:timers/promises";
import { labelFilters } from "../commands/docker.js";
import { containerUsage, cpuPercentBetween, parseMeminfo, parseProcStat, type DockerStatsSample } from "../metrics.js";
import type { z } from "zod";
import { LABELS, type StatsResponse as StatsSchema } from "../protocol/index.js";
import type { AgentDeps } from "./deps.js";

type StatsResponse = z.infer<typeof StatsSchema>;

const CPU_SAMPLE_MS = 250;

export async function stats(deps: AgentDeps): Promise<StatsResponse> {
  const [cpuPercent, mem, containers] = await Promise.all([hostCpu(deps), deps.exec.readFile("/proc/meminfo"), containerStats(deps)]);
  const m = parseMeminfo(mem ?? "");
  return { cpuPercent, memoryUsedBytes: m.usedBytes, memoryTotalBytes: m.totalBytes, containers };
}

async function hostCpu(deps: AgentDeps): Promise<number> {
  const a = parseProcStat((await deps.exec.readFile("/proc/stat")) ?? "");
  await sleep(CPU_SAMPLE_MS);
  const b = parseProcStat((await deps.exec.readFile("/proc/stat")) ?? "");
  return a && b ? cpuPercentBetween(a, b) : 0;
}

async function containerStats(deps: AgentDeps): Promise<StatsResponse["containers"]> {
  // Serving containers only: a paused standby (kept for a quick rollback) serves nothing.
  const running = (await deps.docker.listContainers({ filters: labelFilters() })).filter((c) => c.State === "running");
  return Promise.all(
    running.map(async (c) => {
      // One-shot stats: Docker samples twice so precpu_stats is filled.
      const s = (await deps.docker.getContainer(c.Id).stats({ stream: false })) as unknown as DockerStatsSample;
      return { service: c.Labels[LABELS.service] ?? "", containerId: c.Id, ...containerUsage(s) };
    }),
  );
}
