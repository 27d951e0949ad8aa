// Keeps a service's Cloudflare DNS in step with what runs: one proxied A record per server for
// each hostname of the deployment that server runs now, and none for hostnames no longer served.
import { isIPv4 } from "node:net";
import { DnsConflictError, normalizeHostname, type DesiredHostname, type Zone } from "../../integrations/cloudflare/index.js";
import type { Deployment, DeploymentTarget } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import type { OperationContext } from "../ports.js";
import { openCloudflare, type CloudflareAccess, type Report } from "./cloudflare-access.js";
import { syncOwnedARecords } from "./dns-ownership.js";

export const DNS_STEP = "dns";

export interface SyncDnsOptions {
  /** Hostnames that may still have records from an earlier release; emptied unless served or another service's. */
  formerHostnames?: string[];
  /** A server being removed: its addresses leave every record now. */
  withoutServerId?: string;
}

export interface DnsSyncOutcome {
  /** False when DNS was skipped or any hostname could not be brought in step. */
  synced: boolean;
  /** True when no Cloudflare credential is set. */
  skipped: boolean;
  created: number;
  updated: number;
  deleted: number;
}

/**
 * Brings the A records of a service's hostnames in step with the servers that run it. Never
 * throws: a problem is reported (WARN, or ERROR for a zone Cloudflare refused) and the next
 * sync tries again. The last event (progress 1) says whether everything is in step.
 */
export async function syncServiceDns(deps: Deps, report: Report, serviceId: string, options: SyncDnsOptions = {}): Promise<DnsSyncOutcome> {
  const outcome: DnsSyncOutcome = { synced: false, skipped: false, created: 0, updated: 0, deleted: 0 };
  try {
    const desired = await desiredRecords(deps, serviceId, options);
    if (desired.length === 0) return { ...outcome, synced: true };
    const cloudflare = await openCloudflare(deps, report, DNS_STEP);
    if (!cloudflare) {
      await report({
        step: DNS_STEP,
        level: "WARN",
        progress: 1,
        message: `No Cloudflare credential is set: DNS records for ${desired.map((d) => d.hostname).join(", ")} were not changed`,
      });
      return { ...outcome, skipped: true };
    }
    const problems = await applyByZone(deps, cloudflare, report, desired, outcome);
    outcome.synced = problems === 0;
    await report({
      step: DNS_STEP,
      level: outcome.synced ? "INFO" : "WARN",
      progress: 1,
      message: outcome.synced
        ? `DNS in step: ${outcome.created} created, ${outcome.updated} updated, ${outcome.deleted} deleted`
        : `DNS partly updated (${problems} problem(s)); the next deploy tries again`,
    });
  } catch (error) {
    await report({ step: DNS_STEP, level: "ERROR", progress: 1, message: `DNS not updated: ${(error as Error).message}` });
  }
  return outcome;
}

/**
 * The "dns" step after a deploy or rollback switched its servers. Hostnames that earlier releases
 * served and this one does not lose their records: those of the releases it replaced, and of
 * every release since DNS was last known to be in step (so a failed sync is made good).
 */
export async function syncDnsAfterRelease(
  deps: Deps,
  ctx: OperationContext,
  release: Pick<Deployment, "serviceId" | "rolledBackFromId"> & { targets: Pick<DeploymentTarget, "previousDeploymentId">[] },
): Promise<DnsSyncOutcome> {
  const replaced = [release.rolledBackFromId, ...release.targets.map((t) => t.previousDeploymentId)].filter((id): id is string => id !== null);
  const lastInStep = await deps.db.operationEvent.findFirst({
    where: { step: DNS_STEP, progress: 1, level: "INFO", operation: { serviceId: release.serviceId, deployment: { isNot: null } } },
    orderBy: { createdAt: "desc" },
    select: { operation: { select: { deployment: { select: { createdAt: true } } } } },
  });
  const since = lastInStep?.operation.deployment?.createdAt;
  const earlier = await deps.db.deployment.findMany({
    where: {
      serviceId: release.serviceId,
      OR: [{ id: { in: replaced } }, ...(since ? [{ status: "SUCCEEDED" as const, createdAt: { gte: since } }] : [])],
    },
    select: { domains: true },
  });
  return syncServiceDns(deps, ctx.emit.bind(ctx), release.serviceId, { formerHostnames: earlier.flatMap((d) => d.domains as string[]) });
}

/** Per hostname, the public IPv4s of the servers whose current deployment serves it. */
export async function desiredRecords(deps: Deps, serviceId: string, options: SyncDnsOptions = {}): Promise<DesiredHostname[]> {
  const running = await deps.db.serviceServer.findMany({
    where: { serviceId, currentDeploymentId: { not: null }, ...(options.withoutServerId ? { serverId: { not: options.withoutServerId } } : {}) },
    include: { server: { select: { publicIpv4: true } }, currentDeployment: { select: { domains: true } } },
  });
  const desired = new Map<string, Set<string>>();
  for (const row of running) {
    const ip = row.server.publicIpv4;
    for (const hostname of (row.currentDeployment?.domains as string[] | undefined) ?? []) {
      const ips = desired.get(normalizeHostname(hostname)) ?? new Set<string>();
      if (ip && isIPv4(ip)) ips.add(ip);
      desired.set(normalizeHostname(hostname), ips);
    }
  }
  const former = [...new Set((options.formerHostnames ?? []).map(normalizeHostname))].filter((h) => !desired.has(h));
  // A hostname another service has taken since is that service's to point, not ours to empty.
  const taken = new Set(
    (await deps.db.serviceDomain.findMany({ where: { hostname: { in: former }, serviceId: { not: serviceId } }, select: { hostname: true } })).map(
      (d) => d.hostname,
    ),
  );
  for (const hostname of former) if (!taken.has(hostname)) desired.set(hostname, new Set());
  return [...desired].map(([hostname, ips]) => ({ hostname, ipv4s: [...ips].sort() })).sort((a, b) => a.hostname.localeCompare(b.hostname));
}

async function applyByZone(deps: Deps, cloudflare: CloudflareAccess, report: Report, desired: DesiredHostname[], outcome: DnsSyncOutcome): Promise<number> {
  let problems = 0;
  const byZone = new Map<string, { zone: Zone; hostnames: DesiredHostname[] }>();
  for (const entry of desired) {
    const zone = await cloudflare.zoneFor(entry.hostname);
    if (!zone) {
      problems += 1;
      await report({ step: DNS_STEP, level: "WARN", message: `No zone of the Cloudflare account holds ${entry.hostname}; its DNS is left alone` });
      continue;
    }
    const group = byZone.get(zone.id) ?? { zone, hostnames: [] };
    group.hostnames.push(entry);
    byZone.set(zone.id, group);
  }
  for (const { zone, hostnames } of byZone.values()) {
    // One hostname at a time: a name held by records Slipway does not own is left alone without
    // holding up the others.
    for (const entry of hostnames) {
      try {
        const plan = await syncOwnedARecords(deps, cloudflare, zone, entry);
        outcome.created += plan.creates.length;
        outcome.updated += plan.updates.length;
        outcome.deleted += plan.deletes.length;
        await report({
          step: DNS_STEP,
          message: entry.ipv4s.length > 0 ? `${entry.hostname} points at ${entry.ipv4s.join(", ")} (proxied)` : `${entry.hostname} has no A records now`,
        });
      } catch (error) {
        problems += 1;
        const level = error instanceof DnsConflictError ? "WARN" : "ERROR";
        const detail = error instanceof DnsConflictError ? `${error.message} (an admin can adopt the name: setDomains with adopt)` : (error as Error).message;
        await report({ step: DNS_STEP, level, message: `DNS of ${entry.hostname} not updated: ${detail}` });
      }
    }
  }
  return problems;
}
