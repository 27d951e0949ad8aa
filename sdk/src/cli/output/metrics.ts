// `slipway metrics`: a service's current figures per server, its totals and its autoscaling. Pure.
import type { ServiceCurrentMetricsQuery } from "../../generated/graphql.js";
import { formatTable } from "./table.js";

export type CurrentMetrics = Extract<NonNullable<ServiceCurrentMetricsQuery["node"]>, { __typename: "Service" }>;

export function formatMetrics(path: string, service: CurrentMetrics, now: Date = new Date()): string {
  const m = service.currentMetrics;
  const lines = [
    `${path}: ${m.servers.length} server${m.servers.length === 1 ? "" : "s"}, ${rate(m.requestsPerSecond)} req/s, 5xx ${percent(m.errorRate)}, ` +
      `p50 ${ms(m.latencyP50Ms)}, p95 ${ms(m.latencyP95Ms)} (last ${m.windowSeconds} s${m.at ? `, collected ${ago(m.at, now)}` : ", nothing collected yet"})`,
  ];
  if (m.servers.length > 0) {
    lines.push(
      formatTable(
        ["SERVER", "STATE", "HOST CPU", "SERVICE CPU", "MEMORY", "REQ/S", "5XX", "P50", "P95"],
        m.servers.map((s) => [
          `${s.server.name}${s.server.autoscaled ? " (autoscaled)" : s.server.kind === "SSH_HOST" ? " (adopted)" : ""}`,
          s.server.unreachableSince ? `unreachable since ${s.server.unreachableSince}` : s.reachable === false ? "not answering" : s.server.status.toLowerCase(),
          percent(s.hostCpuPercent === null ? null : s.hostCpuPercent / 100),
          s.cpuPercent === null ? "-" : `${s.cpuPercent.toFixed(1)}%`,
          bytes(s.memoryBytes),
          rate(s.requestsPerSecond),
          percent(s.errorRate),
          ms(s.latencyP50Ms),
          ms(s.latencyP95Ms),
        ]),
      ),
    );
  }
  lines.push(autoscaling(service, now));
  return lines.join("\n");
}

function autoscaling(service: CurrentMetrics, now: Date): string {
  const p = service.autoscalePolicy;
  if (!p) return "Autoscaling: no policy.";
  const targets = [p.targetCpuPercent !== null ? `CPU ${p.targetCpuPercent}%` : null, p.targetRequestsPerSecond !== null ? `${p.targetRequestsPerSecond} req/s` : null].filter(Boolean);
  const head = `Autoscaling: ${p.enabled ? "on" : "off"}, ${p.minServers}-${p.maxServers} servers, target ${targets.join(" and ")} per server`;
  const running = p.scalingOperation ? `\n  Scaling now: ${p.scalingOperation.title} (operation ${p.scalingOperation.id})` : "";
  const last = service.autoscaleDecisions[0];
  return `${head}${running}${last ? `\n  Last decision ${ago(last.at, now)}: ${last.reason}` : ""}`;
}

function rate(value: number | null): string {
  return value === null ? "-" : value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function percent(value: number | null): string {
  return value === null ? "-" : `${(value * 100).toFixed(value < 0.1 ? 1 : 0)}%`;
}

function ms(value: number | null): string {
  return value === null ? "-" : `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`;
}

function bytes(value: number | null): string {
  if (value === null) return "-";
  const mib = value / 1024 / 1024;
  return mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${mib.toFixed(0)} MiB`;
}

function ago(iso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  return seconds < 120 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}
