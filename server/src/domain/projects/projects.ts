import { z } from "zod";
import type { Project } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { ConflictError } from "../errors.js";
import { parseInput, resourceName } from "../validation.js";

const CreateProjectInput = z.object({
  name: resourceName,
  description: z.string().trim().max(500).default(""),
});

export async function createProject(deps: Deps, viewer: Viewer, input: unknown): Promise<Project> {
  const { name, description } = parseInput(CreateProjectInput, input);
  try {
    return await deps.db.project.create({ data: { name, description, createdById: viewer.userId } });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`A project named "${name}" already exists`);
    throw error;
  }
}

/** Lists projects by name; `query` carries the selection and page window GraphQL asked for. */
export async function listProjects<Q extends object>(deps: Deps, query: Q): Promise<Project[]> {
  return deps.db.project.findMany({ ...query, orderBy: { name: "asc" } });
}

export async function findProject<Q extends object>(deps: Deps, id: string, query?: Q): Promise<Project | null> {
  return deps.db.project.findUnique({ ...query, where: { id } });
}

export async function findProjectByName<Q extends object>(deps: Deps, name: string, query?: Q): Promise<Project | null> {
  return deps.db.project.findUnique({ ...query, where: { name } });
}

export async function countProjects(deps: Deps): Promise<number> {
  return deps.db.project.count();
}

/** Prisma's P2002, by code: the SQLite and PostgreSQL clients each have their own error class. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}
