import { z } from "zod";
import type { Deps } from "../deps.js";
import { ConflictError } from "../errors.js";
import { parseInput } from "../validation.js";
import { removesNothingOutside, serviceRemovalPlan, type ServiceRemovalPlan } from "./service-removal-plan.js";

const DeleteServiceInput = z.object({ id: z.string().uuid("is not a service id") });

/**
 * Deletes a service with its deployments, configs, env and domains. Refused while a deployment
 * runs. What it removes outside the database is `serviceRemovalPlan`'s answer.
 */
export async function deleteService(deps: Deps, input: unknown): Promise<ServiceRemovalPlan & { id: string }> {
  const { id } = parseInput(DeleteServiceInput, input);
  const plan = await serviceRemovalPlan(deps, id);
  if (plan.blockedBy) throw new ConflictError(plan.blockedBy);
  if (!removesNothingOutside(plan)) {
    const where = plan.servers.map((s) => s.serverName).join(", ");
    throw new ConflictError(`The service still has containers, an nginx site and images on ${where}; removing them from servers is not available yet`);
  }
  await deps.db.service.delete({ where: { id } });
  return { ...plan, id };
}
