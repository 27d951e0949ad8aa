// What deleting a service removes outside the database, worked out before anything is removed, so
// people are told exactly that and the deletion then removes exactly that.
import type { Deps } from "../deps.js";
import { ACTIVE_DEPLOYMENT_STATUSES, removalConflict } from "../deployments/deploy-claim.js";
import { agentServiceName } from "../deployments/release-config.js";
import { NotFoundError } from "../errors.js";

export interface ServerRemoval {
  serverId: string;
  serverName: string;
  /** The service's name on the server: its containers and nginx site carry it. */
  agentName: string;
  /** The deployment images of the service that were placed on this server. */
  images: string[];
}

export interface ServiceRemovalPlan {
  serviceId: string;
  servers: ServerRemoval[];
  /** Hostnames whose Cloudflare DNS records for this service's servers are deleted. */
  dnsHostnames: string[];
  /** Why the service cannot be deleted now (a deployment runs, or its deletion does), or null. */
  blockedBy: string | null;
}

export async function serviceRemovalPlan(deps: Deps, serviceId: string): Promise<ServiceRemovalPlan> {
  const service = await deps.db.service.findUnique({
    where: { id: serviceId },
    include: {
      domains: { select: { hostname: true }, orderBy: { hostname: "asc" } },
      removalOperation: { select: { id: true, status: true } },
      servers: { select: { server: { select: { id: true, name: true } } } },
      deployments: {
        select: { imageTag: true, status: true, targets: { select: { server: { select: { id: true, name: true } } } } },
        orderBy: { createdAt: "asc" },
      },
    },
  });
  if (!service) throw new NotFoundError("Service");
  return planRemoval({
    serviceId: service.id,
    agentName: agentServiceName(service),
    hostnames: service.domains.map((d) => d.hostname),
    runsOn: service.servers.map((s) => s.server),
    deployments: service.deployments.map((d) => ({ imageTag: d.imageTag, status: d.status, servers: d.targets.map((t) => t.server) })),
    removalOperationId: service.removalOperation && ["QUEUED", "RUNNING"].includes(service.removalOperation.status) ? service.removalOperation.id : null,
  });
}

interface ServerRef {
  id: string;
  name: string;
}

/** The pure part: every server the service ran or was placed on, with the images put there. */
export function planRemoval(input: {
  serviceId: string;
  agentName: string;
  hostnames: string[];
  runsOn: ServerRef[];
  deployments: { imageTag: string; status: string; servers: ServerRef[] }[];
  /** The deletion of this service that is queued or running, if any. */
  removalOperationId?: string | null;
}): ServiceRemovalPlan {
  const servers = new Map<string, ServerRemoval>();
  const touch = (server: ServerRef) => {
    let entry = servers.get(server.id);
    if (!entry) servers.set(server.id, (entry = { serverId: server.id, serverName: server.name, agentName: input.agentName, images: [] }));
    return entry;
  };
  for (const server of input.runsOn) touch(server);
  for (const deployment of input.deployments) {
    for (const server of deployment.servers) {
      const entry = touch(server);
      if (!entry.images.includes(deployment.imageTag)) entry.images.push(deployment.imageTag);
    }
  }
  const running = input.deployments.filter((d) => (ACTIVE_DEPLOYMENT_STATUSES as readonly string[]).includes(d.status));
  return {
    serviceId: input.serviceId,
    servers: [...servers.values()].sort((a, b) => a.serverName.localeCompare(b.serverName)),
    // Records exist only for hostnames that some server served.
    dnsHostnames: servers.size > 0 ? input.hostnames : [],
    blockedBy: input.removalOperationId
      ? removalConflict(input.removalOperationId).message
      : running.length > 0
        ? "A deployment of this service is running: wait until it has finished"
        : null,
  };
}

/** True when deleting the service touches nothing outside the database. */
export function removesNothingOutside(plan: ServiceRemovalPlan): boolean {
  return plan.servers.length === 0 && plan.dnsHostnames.length === 0;
}
