// What the API shows about a service's domains: configured and/or live, DNS state, certificate.
import type { Certificate } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { DNS_STEP } from "./sync-dns-records.js";

export interface DomainStatus {
  hostname: string;
  /** In the service's settings (takes effect at the next deploy). */
  configured: boolean;
  /** Served by the deployment running now. */
  live: boolean;
  /**
   * Whether the last DNS sync of the service (at a deploy or rollback) brought every hostname in
   * step and this one is live; null before any sync. Read from the last "dns" step's outcome.
   */
  dnsRecordsSynced: boolean | null;
  dnsCheckedAt: Date | null;
  certificate: Certificate | null;
}

export async function listDomainStatuses(deps: Deps, serviceId: string): Promise<DomainStatus[]> {
  const [configured, running, lastSync] = await Promise.all([
    deps.db.serviceDomain.findMany({ where: { serviceId }, include: { certificate: true } }),
    deps.db.serviceServer.findMany({ where: { serviceId, currentDeploymentId: { not: null } }, include: { currentDeployment: { select: { domains: true } } } }),
    deps.db.operationEvent.findFirst({
      where: { step: DNS_STEP, progress: 1, operation: { serviceId } },
      orderBy: { createdAt: "desc" },
      select: { level: true, createdAt: true },
    }),
  ]);
  const live = new Set(running.flatMap((r) => (r.currentDeployment?.domains as string[] | undefined) ?? []));
  const hostnames = [...new Set([...configured.map((d) => d.hostname), ...live])].sort();
  return hostnames.map((hostname) => {
    const row = configured.find((d) => d.hostname === hostname);
    return {
      hostname,
      configured: row !== undefined,
      live: live.has(hostname),
      dnsRecordsSynced: lastSync ? lastSync.level === "INFO" && live.has(hostname) : null,
      dnsCheckedAt: lastSync?.createdAt ?? null,
      certificate: row?.certificate ?? null,
    };
  });
}
