import type { Deployment, DeploymentStatus } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { NotFoundError } from "../errors.js";

export interface DeploymentFilter {
  serviceId?: string | null;
  status?: DeploymentStatus | null;
}

/** Newest first; `query` carries the page window and selection GraphQL asked for. */
export async function listDeployments<Q extends object>(deps: Deps, filter: DeploymentFilter, query: Q): Promise<Deployment[]> {
  return deps.db.deployment.findMany({
    ...query,
    where: { serviceId: filter.serviceId ?? undefined, status: filter.status ?? undefined },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

export async function countDeployments(deps: Deps, filter: DeploymentFilter): Promise<number> {
  return deps.db.deployment.count({ where: { serviceId: filter.serviceId ?? undefined, status: filter.status ?? undefined } });
}

/** Pinned deployments keep their image through every cleanup. */
export async function setDeploymentPinned(deps: Deps, id: string, pinned: boolean): Promise<Deployment> {
  const found = await deps.db.deployment.findUnique({ where: { id } });
  if (!found) throw new NotFoundError("Deployment");
  return deps.db.deployment.update({ where: { id }, data: { pinned } });
}
