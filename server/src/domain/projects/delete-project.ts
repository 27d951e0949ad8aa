import { z } from "zod";
import type { Deps } from "../deps.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { parseInput } from "../validation.js";

const DeleteProjectInput = z.object({ id: z.string().uuid("is not a project id") });

/**
 * Deletes an empty project. A project with services is refused, naming them: each service is
 * deleted on its own, which says what it removes from the servers.
 */
export async function deleteProject(deps: Deps, input: unknown): Promise<{ id: string; name: string }> {
  const { id } = parseInput(DeleteProjectInput, input);
  const project = await deps.db.project.findUnique({ where: { id }, include: { services: { select: { name: true }, orderBy: { name: "asc" } } } });
  if (!project) throw new NotFoundError("Project");
  if (project.services.length > 0) {
    const names = project.services.map((s) => s.name).join(", ");
    throw new ConflictError(`The project "${project.name}" still has services (${names}): delete them first`);
  }
  await deps.db.project.delete({ where: { id } });
  return { id: project.id, name: project.name };
}
