import { z } from "zod";
import type { Operation } from "../../generated/prisma/client.js";
import { plural } from "../autoscaling/recommend-servers.js";
import type { Viewer } from "../auth/viewer.js";
import { claimServiceRemoval, holdService } from "../deployments/deploy-claim.js";
import type { Deps } from "../deps.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { startOperation } from "../operations/start-operation.js";
import { parseInput } from "../validation.js";
import { deleteServiceOperation } from "./delete-service-operation.js";
import { removesNothingOutside, serviceRemovalPlan, type ServiceRemovalPlan } from "./service-removal-plan.js";

const DeleteServiceInput = z.object({ id: z.string().uuid("is not a service id") });

export interface ServiceDeletion {
  /** What is removed outside the database (`serviceRemovalPlan`'s answer). */
  plan: ServiceRemovalPlan;
  /** The operation removing it from its servers; null when it ran nowhere and is deleted already. */
  operation: Operation | null;
}

/**
 * Deletes a service with its deployments, configs, env and domains. One that never ran anywhere
 * goes at once; one that ran is removed from its servers and DNS first, by an operation. Refused
 * while a deployment runs, and while it is being deleted already.
 */
export async function deleteService(deps: Deps, viewer: Viewer, input: unknown): Promise<ServiceDeletion> {
  const { id } = parseInput(DeleteServiceInput, input);
  const plan = await serviceRemovalPlan(deps, id);
  if (plan.blockedBy) throw new ConflictError(plan.blockedBy);
  if (removesNothingOutside(plan)) {
    await deps.db.service.delete({ where: { id } });
    return { plan, operation: null };
  }
  const service = await deps.db.service.findUnique({ where: { id }, include: { project: true } });
  if (!service) throw new NotFoundError("Service");
  const operation = await startOperation(deps, deleteServiceOperation, { serviceId: id }, {
    title: `Delete ${service.project.name}/${service.name} from ${plural(plan.servers.length, "server")}`,
    actorId: viewer.userId,
    serviceId: id,
    hold: (tx) => holdService(tx, id),
    claim: (tx, operationId) => claimServiceRemoval(tx, id, operationId),
  });
  return { plan, operation };
}
