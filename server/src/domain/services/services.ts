import { z } from "zod";
import type { Service } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { isUniqueViolation } from "../projects/projects.js";
import { RELEASE_DEFAULTS } from "@slipway/agent/protocol";
import { newAgentServiceName } from "../deployments/release-config.js";
import { healthCheckPath, parseInput, port, releaseTiming, resourceName } from "../validation.js";

const CreateServiceInput = z.object({
  projectId: z.string().uuid("is not a project id"),
  name: resourceName,
  port: port.default(3000),
  healthCheckPath: healthCheckPath.default("/"),
  healthCheckTimeoutSeconds: releaseTiming.healthCheckTimeoutSeconds.default(RELEASE_DEFAULTS.healthCheckTimeoutSeconds),
  healthCheckIntervalMs: releaseTiming.healthCheckIntervalMs.default(RELEASE_DEFAULTS.healthCheckIntervalMs),
  drainTimeoutSeconds: releaseTiming.drainTimeoutSeconds.default(RELEASE_DEFAULTS.drainTimeoutSeconds),
});

export async function createService(deps: Deps, input: unknown): Promise<Service> {
  const parsed = parseInput(CreateServiceInput, input);
  const project = await deps.db.project.findUnique({ where: { id: parsed.projectId } });
  if (!project) throw new NotFoundError("Project");
  try {
    return await deps.db.service.create({
      data: {
        projectId: project.id,
        name: parsed.name,
        port: parsed.port,
        healthCheckPath: parsed.healthCheckPath,
        healthCheckTimeoutSeconds: parsed.healthCheckTimeoutSeconds,
        healthCheckIntervalMs: parsed.healthCheckIntervalMs,
        drainTimeoutSeconds: parsed.drainTimeoutSeconds,
        agentName: newAgentServiceName(project, parsed),
        // Image repositories may be shared (tags carry the deployment id); cleanup goes by agentName.
        imageBase: `slipway/${project.name}-${parsed.name}`,
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`The project already has a service named "${parsed.name}"`);
    throw error;
  }
}

export async function getServiceOrThrow<Q extends object>(deps: Deps, id: string, query?: Q): Promise<Service> {
  const service = await deps.db.service.findUnique({ ...query, where: { id } });
  if (!service) throw new NotFoundError("Service");
  return service;
}

/** A service by its project's name and its own: the names people read in addresses. */
export async function findServiceByName<Q extends object>(deps: Deps, projectName: string, name: string, query?: Q): Promise<Service | null> {
  return deps.db.service.findFirst({ ...query, where: { name, project: { name: projectName } } });
}
