import { z } from "zod";
import type { DeployConfig } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { isUniqueViolation } from "../projects/projects.js";
import {
  envKey, envValue, gitRef, gitRepositoryUrl, healthCheckPath, imageReference, parseInput, port,
} from "../validation.js";

/**
 * Saved deploy settings. Secret values never go here: they live encrypted on the service. Git
 * repositories follow the deploy's own rule (git:// and http:// on loopback only where allowed).
 */
export function deploySettings(allowInsecureGitTransports: boolean) {
  return z
    .object({
      source: z.discriminatedUnion("type", [
        z.object({ type: z.literal("ARCHIVE") }).strict(),
        z.object({ type: z.literal("GIT"), repository: gitRepositoryUrl(allowInsecureGitTransports), ref: gitRef }).strict(),
        z.object({ type: z.literal("IMAGE"), image: imageReference }).strict(),
      ]),
      serverIds: z.array(z.string().uuid()).max(100).default([]),
      env: z.record(envKey, envValue).refine((env) => Object.keys(env).length <= 500, "has too many variables").default({}),
      port: port.optional(),
      healthCheckPath: healthCheckPath.optional(),
    })
    .strict();
}

export type DeploySettings = z.infer<ReturnType<typeof deploySettings>>;

const configName = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "use letters, digits, spaces, dots, underscores or hyphens");

const createDeployConfigInput = (deps: Deps) =>
  z.object({ serviceId: z.string().uuid(), name: configName, settings: deploySettings(deps.config.allowInsecureGitTransports) });
const updateDeployConfigInput = (deps: Deps) =>
  z.object({ name: configName.optional(), settings: deploySettings(deps.config.allowInsecureGitTransports).optional() });

export async function createDeployConfig(deps: Deps, viewer: Viewer, input: unknown): Promise<DeployConfig> {
  const parsed = parseInput(createDeployConfigInput(deps), input);
  if (!(await deps.db.service.findUnique({ where: { id: parsed.serviceId } }))) throw new NotFoundError("Service");
  return withUniqueName(parsed.name, () =>
    deps.db.deployConfig.create({
      data: { serviceId: parsed.serviceId, name: parsed.name, settings: parsed.settings, createdById: viewer.userId },
    }),
  );
}

export async function updateDeployConfig(deps: Deps, id: string, input: unknown): Promise<DeployConfig> {
  const parsed = parseInput(updateDeployConfigInput(deps), input);
  await getDeployConfigOrThrow(deps, id);
  return withUniqueName(parsed.name ?? "", () =>
    deps.db.deployConfig.update({ where: { id }, data: { name: parsed.name, settings: parsed.settings } }),
  );
}

export async function deleteDeployConfig(deps: Deps, id: string): Promise<DeployConfig> {
  const config = await getDeployConfigOrThrow(deps, id);
  await deps.db.deployConfig.delete({ where: { id } });
  return config;
}

export async function listDeployConfigs(deps: Deps, serviceId: string): Promise<DeployConfig[]> {
  return deps.db.deployConfig.findMany({ where: { serviceId }, orderBy: { name: "asc" } });
}

/** Loads a saved config; its settings are re-validated so a stale row never reaches a deploy. */
export async function loadDeployConfig(deps: Deps, id: string): Promise<{ config: DeployConfig; settings: DeploySettings }> {
  const config = await getDeployConfigOrThrow(deps, id);
  return { config, settings: parseInput(deploySettings(deps.config.allowInsecureGitTransports), config.settings) };
}

export async function getDeployConfigOrThrow(deps: Deps, id: string): Promise<DeployConfig> {
  const config = await deps.db.deployConfig.findUnique({ where: { id } });
  if (!config) throw new NotFoundError("Deploy config");
  return config;
}

async function withUniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`The service already has a deploy config named "${name}"`);
    throw error;
  }
}
