import type { Deps } from "../deps.js";
import { mapBounded } from "./bounded.js";
import { agentServiceName } from "./release-config.js";

const CLEANUP_CONCURRENCY = 8;

export interface CleanupSummary {
  removed: number;
  reclaimedBytes: number;
  kept: string[];
}

/**
 * Keeps a service's newest N deployment images, plus every image a running release or a pinned
 * deployment needs, on every server that runs it; removes only the other images Slipway labelled.
 * Never prunes anything host-wide.
 */
export async function cleanupServiceImages(deps: Deps, serviceId: string): Promise<CleanupSummary> {
  const service = await deps.db.service.findUniqueOrThrow({ where: { id: serviceId }, include: { project: true } });
  const keep = await tagsToKeep(deps, serviceId, service.keepImages);
  const servers = await deps.db.serviceServer.findMany({ where: { serviceId, server: { status: "ACTIVE" } }, select: { serverId: true } });
  const name = agentServiceName(service);
  // Servers are independent: one at a time, a fleet's cleanup took a round trip per server.
  const results = await mapBounded(servers, CLEANUP_CONCURRENCY, async ({ serverId }) => {
    const images = await deps.servers.listImages(serverId, name);
    const doomed = images.filter((image) => !image.inUse && !image.tags.some((tag) => keep.has(tag))).map((image) => image.id);
    return doomed.length === 0 ? null : deps.servers.removeImages(serverId, doomed);
  });
  let removed = 0;
  let reclaimedBytes = 0;
  for (const result of results) {
    removed += result?.removed.length ?? 0;
    reclaimedBytes += result?.reclaimedBytes ?? 0;
  }
  return { removed, reclaimedBytes, kept: [...keep].sort() };
}

/** The pure part of the retention rule, tested directly. */
export function selectTagsToKeep(
  deployments: { imageTag: string; createdAt: Date; pinned: boolean; status: string }[],
  running: string[],
  keepNewest: number,
): Set<string> {
  const newest = [...deployments]
    .filter((d) => d.status === "SUCCEEDED")
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    .map((d) => d.imageTag);
  const distinctNewest = [...new Set(newest)].slice(0, keepNewest);
  return new Set([...distinctNewest, ...deployments.filter((d) => d.pinned).map((d) => d.imageTag), ...running]);
}

async function tagsToKeep(deps: Deps, serviceId: string, keepNewest: number): Promise<Set<string>> {
  const deployments = await deps.db.deployment.findMany({
    where: { serviceId },
    select: { imageTag: true, createdAt: true, pinned: true, status: true },
  });
  const running = await deps.db.serviceServer.findMany({
    where: { serviceId, currentDeploymentId: { not: null } },
    select: { currentDeployment: { select: { imageTag: true } } },
  });
  // A deployment in flight is not SUCCEEDED yet but its image must survive.
  const inFlight = (await deps.db.deployment.findMany({ where: { serviceId, status: { in: ["QUEUED", "BUILDING", "DEPLOYING"] } }, select: { imageTag: true } })).map((d) => d.imageTag);
  return selectTagsToKeep(deployments, [...running.map((r) => r.currentDeployment!.imageTag), ...inFlight], keepNewest);
}

/** The hourly cleanup: every service that runs somewhere, one after another; a failure is logged and the rest go on. */
export async function cleanupAllServiceImages(deps: Deps): Promise<void> {
  const services = await deps.db.service.findMany({ where: { servers: { some: {} } }, select: { id: true } });
  for (const { id } of services) {
    const summary = await cleanupServiceImages(deps, id).catch((error: unknown) => {
      deps.log.warn({ err: error, serviceId: id }, "scheduled image cleanup failed for a service");
      return null;
    });
    if (summary && summary.removed > 0) deps.log.info({ serviceId: id, removed: summary.removed, reclaimedBytes: summary.reclaimedBytes }, "removed images beyond retention");
  }
}
