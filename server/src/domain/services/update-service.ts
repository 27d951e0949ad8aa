import { z } from "zod";
import type { Service } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { isUniqueViolation } from "../projects/projects.js";
import { healthCheckPath, parseInput, port, releaseTiming, resourceName } from "../validation.js";

const UpdateServiceInput = z.object({
  id: z.string().uuid("is not a service id"),
  name: resourceName.optional(),
  port: port.optional(),
  healthCheckPath: healthCheckPath.optional(),
  healthCheckTimeoutSeconds: releaseTiming.healthCheckTimeoutSeconds.optional(),
  healthCheckIntervalMs: releaseTiming.healthCheckIntervalMs.optional(),
  drainTimeoutSeconds: releaseTiming.drainTimeoutSeconds.optional(),
});

/**
 * Renames a service or changes how it is run. The settings take effect with the next deployment
 * (each deployment keeps the config it ran with, so a rollback restores exactly it). A rename
 * keeps what runs on servers: containers, nginx site and images are named after the image base,
 * which never changes.
 */
export async function updateService(deps: Deps, input: unknown): Promise<Service> {
  const { id, ...changes } = parseInput(UpdateServiceInput, input);
  if (!(await deps.db.service.findUnique({ where: { id }, select: { id: true } }))) throw new NotFoundError("Service");
  try {
    return await deps.db.service.update({ where: { id }, data: changes });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`The project already has a service named "${changes.name}"`);
    throw error;
  }
}
