import type { Server } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { expectedAgentVersion, isAgentOutdated } from "../servers/agent-release.js";
import { ConflictError, ValidationError } from "../errors.js";
import { ACTIVE_DEPLOYMENT_STATUSES, removalConflict, runningConflict } from "./deploy-claim.js";

/**
 * The servers a deployment goes to: the ones asked for, or those already running the service.
 * Only active servers; an unmanaged droplet is never deployed to.
 */
export async function resolveTargets(deps: Deps, serviceId: string, requested: string[] | undefined): Promise<Server[]> {
  // By default a server that is lost is left out: once it answers again it is brought in line.
  const ids = requested?.length
    ? [...new Set(requested)]
    : (await deps.db.serviceServer.findMany({ where: { serviceId, server: { status: { not: "UNREACHABLE" } } }, select: { serverId: true } })).map((s) => s.serverId);
  if (ids.length === 0) {
    throw new ValidationError("Choose at least one server to deploy to", [{ path: ["serverIds"], message: "no servers" }]);
  }
  const servers = await deps.db.server.findMany({ where: { id: { in: ids } }, orderBy: { name: "asc" } });
  const missing = ids.filter((id) => !servers.some((s) => s.id === id));
  if (missing.length) throw new ValidationError("Some servers do not exist", [{ path: ["serverIds"], message: `unknown: ${missing.join(", ")}` }]);
  const unmanaged = servers.filter((s) => s.kind === "DROPLET" && !s.managed);
  if (unmanaged.length) {
    throw new ValidationError("Slipway deploys only to droplets it manages", [
      { path: ["serverIds"], message: `not managed: ${unmanaged.map((s) => s.name).join(", ")}` },
    ]);
  }
  const notReady = servers.filter((s) => s.status !== "ACTIVE");
  if (notReady.length) {
    throw new ConflictError(`Servers not ready to deploy to: ${notReady.map((s) => `${s.name} (${s.status.toLowerCase()})`).join(", ")}`);
  }
  // An older agent speaks an older release protocol: refused here, clearly, not halfway through.
  const outdated = servers.filter(isAgentOutdated);
  if (outdated.length) {
    throw new ConflictError(
      `Servers run an older agent than this control plane's ${expectedAgentVersion()}: ${outdated.map((s) => `${s.name} (${s.agentVersion})`).join(", ")}. ` +
        "Upgrade their agent first (slipway servers upgrade-agent <server>, or Upgrade agent on the Servers page)",
    );
  }
  return servers;
}

/**
 * One deployment of a service at a time: a second would race the first for nginx and containers;
 * and none while the service is being deleted. An early, friendly check (before an archive is
 * unpacked); the database's claim (deploy-claim.ts) is what enforces it.
 */
export async function assertDeploySlotFree(deps: Deps, serviceId: string): Promise<void> {
  const running = await deps.db.deployment.findFirst({
    where: { serviceId, status: { in: [...ACTIVE_DEPLOYMENT_STATUSES] }, operation: { is: { status: { in: ["QUEUED", "RUNNING"] } } } },
    select: { id: true, status: true, imageTag: true },
    orderBy: { createdAt: "desc" },
  });
  if (running) throw runningConflict(running);
  const removal = await deps.db.operation.findFirst({ where: { removing: { is: { id: serviceId } }, status: { in: ["QUEUED", "RUNNING"] } }, select: { id: true } });
  if (removal) throw removalConflict(removal.id);
}
