// Parsers and arithmetic for metrics: /proc/stat, /proc/meminfo, Docker's stats. Pure.

export interface CpuTimes {
  idle: number;
  total: number;
}

/** The aggregate "cpu" line of /proc/stat (idle includes iowait). */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split("\n").find((l) => /^cpu\s/.test(l));
  if (!line) return null;
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + (b || 0), 0);
  return { idle: (n[3] ?? 0) + (n[4] ?? 0), total };
}

export function cpuPercentBetween(a: CpuTimes, b: CpuTimes): number {
  const total = b.total - a.total;
  if (total <= 0) return 0;
  return round1((100 * (total - (b.idle - a.idle))) / total);
}

/** Used = MemTotal - MemAvailable, in bytes. */
export function parseMeminfo(text: string): { totalBytes: number; usedBytes: number } {
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  const total = kib("MemTotal") * 1024;
  return { totalBytes: total, usedBytes: total - kib("MemAvailable") * 1024 };
}

export interface DockerStatsSample {
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; stats?: Record<string, number> };
}

/** Like `docker stats`: CPU share of the whole machine times its CPU count, memory minus page cache. */
export function containerUsage(s: DockerStatsSample): { cpuPercent: number; memoryBytes: number } {
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats?.online_cpus ?? s.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 1;
  const cpuPercent = cpuDelta > 0 && sysDelta > 0 ? round1((cpuDelta / sysDelta) * cpus * 100) : 0;
  const stats = s.memory_stats?.stats ?? {};
  const cache = stats.inactive_file ?? stats.total_inactive_file ?? 0;
  const memoryBytes = Math.max(0, (s.memory_stats?.usage ?? 0) - cache);
  return { cpuPercent, memoryBytes };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
