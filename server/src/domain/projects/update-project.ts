import { z } from "zod";
import type { Project } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { parseInput, resourceName } from "../validation.js";
import { isUniqueViolation } from "./projects.js";

const UpdateProjectInput = z.object({
  id: z.string().uuid("is not a project id"),
  name: resourceName.optional(),
  description: z.string().trim().max(500).optional(),
});

/**
 * Renames a project or changes its description. What runs on servers keeps its identity (it is
 * named after the service's image base, fixed at creation); only the internal host names
 * (`<service>.<project>.slipway.internal`) follow the new name, at each service's next deploy.
 */
export async function updateProject(deps: Deps, input: unknown): Promise<Project> {
  const { id, name, description } = parseInput(UpdateProjectInput, input);
  if (!(await deps.db.project.findUnique({ where: { id }, select: { id: true } }))) throw new NotFoundError("Project");
  try {
    return await deps.db.project.update({ where: { id }, data: { name, description } });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`A project named "${name}" already exists`);
    throw error;
  }
}
