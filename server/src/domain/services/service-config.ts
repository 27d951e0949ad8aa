import { z } from "zod";
import type { Service, ServiceDomain, ServiceEnvVar } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { ConflictError } from "../errors.js";
import { isUniqueViolation } from "../projects/projects.js";
import { envKey, envValue, parseInput } from "../validation.js";
import { getServiceOrThrow } from "./services.js";

const ENV_PURPOSE = "service-env";

/** RFC 1123 host names, lowercase; anything else could end up inside an nginx config. */
export const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/, "must be a host name like app.example.com");

const SetEnvInput = z.object({
  serviceId: z.string().uuid(),
  vars: z
    .array(z.object({ key: envKey, value: envValue, secret: z.boolean().default(false) }))
    .max(500)
    .refine((vars) => new Set(vars.map((v) => v.key)).size === vars.length, "a key appears twice"),
});

/** Replaces the service's env vars with exactly these; values are stored encrypted. */
export async function setServiceEnv(deps: Deps, input: unknown): Promise<Service> {
  const { serviceId, vars } = parseInput(SetEnvInput, input);
  await requireService(deps, serviceId);
  await deps.db.$transaction([
    deps.db.serviceEnvVar.deleteMany({ where: { serviceId } }),
    ...vars.map((v) =>
      deps.db.serviceEnvVar.create({
        data: { serviceId, key: v.key, secret: v.secret, ciphertext: deps.secrets.encrypt(v.value, ENV_PURPOSE) },
      }),
    ),
  ]);
  return getServiceOrThrow(deps, serviceId);
}

export async function listServiceEnv(deps: Deps, serviceId: string): Promise<ServiceEnvVar[]> {
  return deps.db.serviceEnvVar.findMany({ where: { serviceId }, orderBy: { key: "asc" } });
}

/** The value of a non-secret variable; secrets are never shown again once set. */
export function visibleEnvValue(deps: Deps, envVar: ServiceEnvVar): string | null {
  return envVar.secret ? null : deps.secrets.decrypt(envVar.ciphertext, ENV_PURPOSE);
}

/** A service's env at one moment, and which of its keys hold secrets. */
export interface EnvSnapshot {
  env: Record<string, string>;
  secretKeys: string[];
}

/** Every variable in clear, for a deployment's config snapshot only. */
export async function readServiceEnv(deps: Deps, serviceId: string): Promise<EnvSnapshot> {
  const vars = await listServiceEnv(deps, serviceId);
  const env: Record<string, string> = {};
  for (const v of vars) env[v.key] = deps.secrets.decrypt(v.ciphertext, ENV_PURPOSE);
  return { env, secretKeys: vars.filter((v) => v.secret).map((v) => v.key) };
}

const SetDomainsInput = z.object({
  serviceId: z.string().uuid(),
  hostnames: z
    .array(hostname)
    .max(100)
    .refine((names) => new Set(names).size === names.length, "a host name appears twice"),
});

/** Replaces the host names nginx routes to the service. */
export async function setServiceDomains(deps: Deps, input: unknown): Promise<Service> {
  const { serviceId, hostnames } = parseInput(SetDomainsInput, input);
  await requireService(deps, serviceId);
  try {
    await deps.db.$transaction([
      deps.db.serviceDomain.deleteMany({ where: { serviceId } }),
      ...hostnames.map((name) => deps.db.serviceDomain.create({ data: { serviceId, hostname: name } })),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError("One of these host names already belongs to another service");
    throw error;
  }
  return getServiceOrThrow(deps, serviceId);
}

export async function listServiceDomains(deps: Deps, serviceId: string): Promise<ServiceDomain[]> {
  return deps.db.serviceDomain.findMany({ where: { serviceId }, orderBy: { hostname: "asc" } });
}

async function requireService(deps: Deps, serviceId: string): Promise<void> {
  await getServiceOrThrow(deps, serviceId);
}
