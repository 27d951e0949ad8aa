// When a server is removed, its address leaves the DNS records of every service it ran.
import type { Deps } from "../deps.js";
import type { RemovedServer } from "../ports.js";
import { logReport } from "./cloudflare-access.js";
import { syncServiceDns } from "./sync-dns-records.js";

/**
 * Resyncs, without the server, each service it ran; throws (reported as a warning by the caller)
 * if any stays out of step. Works from the releases the server switched to, so it finds the
 * services whether or not the server was already taken out of them.
 */
export async function removeServerRecords(deps: Deps, server: RemovedServer): Promise<void> {
  const switched = await deps.db.deploymentTarget.findMany({
    where: { serverId: server.id, state: { in: ["SWITCHED", "DRAINING", "STOPPED"] } },
    select: { deployment: { select: { serviceId: true, domains: true } } },
  });
  const running = await deps.db.serviceServer.findMany({ where: { serverId: server.id }, select: { serviceId: true } });
  const hostnamesByService = new Map<string, Set<string>>(running.map((r) => [r.serviceId, new Set<string>()]));
  for (const { deployment } of switched) {
    const hostnames = hostnamesByService.get(deployment.serviceId) ?? new Set<string>();
    for (const hostname of deployment.domains as string[]) hostnames.add(hostname);
    hostnamesByService.set(deployment.serviceId, hostnames);
  }
  const behind: string[] = [];
  for (const [serviceId, hostnames] of hostnamesByService) {
    const outcome = await syncServiceDns(deps, logReport(deps), serviceId, { withoutServerId: server.id, formerHostnames: [...hostnames] });
    if (!outcome.synced && !outcome.skipped) behind.push(serviceId);
  }
  if (behind.length > 0) throw new Error(`DNS records of ${behind.length} service(s) may still point at ${server.name}; the next deploy of each removes them`);
}
