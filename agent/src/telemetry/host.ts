// Parsers for the host figures the metrics endpoint reports as they are (cumulative where the
// kernel keeps them so): /proc/stat, /proc/meminfo, /proc/loadavg. Pure.
import { parseProcStat } from "../metrics.js";

export interface CpuCounters {
  totalTicks: number;
  idleTicks: number;
  cores: number;
}

/** The aggregate "cpu" line (cumulative jiffies) and how many "cpuN" lines follow it. */
export function parseCpuCounters(procStat: string): CpuCounters | null {
  const times = parseProcStat(procStat);
  if (!times) return null;
  const cores = procStat.split("\n").filter((line) => /^cpu\d+\s/.test(line)).length;
  return { totalTicks: times.total, idleTicks: times.idle, cores: Math.max(1, cores) };
}

/** MemTotal and MemAvailable, in bytes; null when the kernel does not report MemAvailable. */
export function parseMemory(meminfo: string): { totalBytes: number; availableBytes: number } | null {
  const kib = (key: string) => new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(meminfo)?.[1];
  const total = kib("MemTotal");
  const available = kib("MemAvailable");
  if (total === undefined || available === undefined) return null;
  return { totalBytes: Number(total) * 1024, availableBytes: Number(available) * 1024 };
}

/** The 1, 5 and 15 minute load averages. */
export function parseLoadavg(text: string): { one: number; five: number; fifteen: number } | null {
  const [one, five, fifteen] = text.trim().split(/\s+/).slice(0, 3).map(Number);
  if (![one, five, fifteen].every((n) => Number.isFinite(n))) return null;
  return { one: one!, five: five!, fifteen: fifteen! };
}
