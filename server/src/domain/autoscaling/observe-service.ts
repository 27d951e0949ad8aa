// What an evaluation sees of a service: each of its servers with the figures of its last
// collections (host CPU, the service's request rate on it), whether it is warm, reachable and
// removable by this policy; whether a deploy runs; whether any release runs at all.
import type { AutoscalePolicy } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { mergeServerRows, mergeServiceRows, perSecond } from "../metrics/aggregate.js";
import { RAW_STEP } from "../metrics/collect-metrics.js";
import type { ServerObservation } from "./recommend-servers.js";

export interface ServiceObservation {
  servers: ServerObservation[];
  deploymentRunning: boolean;
  hasRelease: boolean;
}

export async function observeService(deps: Deps, policy: AutoscalePolicy): Promise<ServiceObservation> {
  const { db } = deps;
  const now = deps.clock.now();
  const rows = await db.serviceServer.findMany({ where: { serviceId: policy.serviceId }, include: { server: { include: { autoscaledBy: true } } } });
  // The last two collections or so: recent, but not one sample alone.
  const since = new Date(now.getTime() - Math.max(5_000, 2 * deps.config.metrics.intervalMs + 1_000));
  const serverIds = rows.map((r) => r.serverId);
  const [hostRows, serviceRows, deployments] = await Promise.all([
    db.serverMetric.findMany({ where: { serverId: { in: serverIds }, step: RAW_STEP, at: { gte: since } } }),
    db.serviceMetric.findMany({ where: { serviceId: policy.serviceId, step: RAW_STEP, at: { gte: since } } }),
    db.deployment.count({ where: { serviceId: policy.serviceId, status: { in: ["QUEUED", "BUILDING", "DEPLOYING"] } } }),
  ]);
  const servers = rows.map(({ server, addedAt }): ServerObservation => {
    const host = hostRows.filter((r) => r.serverId === server.id);
    const own = serviceRows.filter((r) => r.serverId === server.id);
    const traffic = own.length > 0 ? mergeServiceRows(own) : null;
    return {
      serverId: server.id,
      name: server.name,
      warm: now.getTime() - addedAt.getTime() >= policy.warmupSeconds * 1000,
      cpuPercent: host.length > 0 ? mergeServerRows(host).cpuPercent : null,
      requestsPerSecond: traffic ? perSecond(traffic.requests, traffic.intervalSeconds) : null,
      unreachable: server.status === "UNREACHABLE" || server.unreachableSince !== null,
      removable: server.autoscaledBy?.policyId === policy.id && server.kind === "DROPLET" && server.managed,
      joinedAt: addedAt,
    };
  });
  return { servers, deploymentRunning: deployments > 0, hasRelease: rows.some((r) => r.currentDeploymentId !== null) };
}
