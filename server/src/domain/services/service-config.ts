import { z } from "zod";
import type { Service, ServiceDomain, ServiceEnvVar } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { ValidationError } from "../errors.js";
import { envKey, envValue, parseInput } from "../validation.js";
import { getServiceOrThrow } from "./services.js";

const ENV_PURPOSE = "service-env";

const SetEnvInput = z.object({
  serviceId: z.string().uuid(),
  vars: z
    // A missing value keeps the stored one: secrets are never sent back, so editors can't resend them.
    .array(z.object({ key: envKey, value: envValue.optional(), secret: z.boolean().default(false) }))
    .max(500)
    .refine((vars) => new Set(vars.map((v) => v.key)).size === vars.length, "a key appears twice"),
});

/** Replaces the service's env vars with exactly these; values are stored encrypted. */
export async function setServiceEnv(deps: Deps, input: unknown): Promise<Service> {
  const { serviceId, vars } = parseInput(SetEnvInput, input);
  await requireService(deps, serviceId);
  const stored = new Map((await listServiceEnv(deps, serviceId)).map((v) => [v.key, v]));
  const unknown = vars.filter((v) => v.value === undefined && !stored.has(v.key)).map((v) => v.key);
  if (unknown.length > 0) {
    throw new ValidationError(`A new variable needs a value: ${unknown.join(", ")}`, unknown.map((key) => ({ path: ["vars", key], message: "needs a value" })));
  }
  // A secret kept as it is never becomes readable: making it plain needs the value typed again.
  const unveiled = vars.filter((v) => v.value === undefined && stored.get(v.key)?.secret && !v.secret).map((v) => v.key);
  if (unveiled.length > 0) {
    throw new ValidationError(
      `A secret becomes a plain variable only with a new value: ${unveiled.join(", ")}`,
      unveiled.map((key) => ({ path: ["vars", key], message: "secret: give a new value to make it plain" })),
    );
  }
  await deps.db.$transaction([
    deps.db.serviceEnvVar.deleteMany({ where: { serviceId } }),
    ...vars.map((v) =>
      deps.db.serviceEnvVar.create({
        data: {
          serviceId,
          key: v.key,
          secret: v.secret,
          ciphertext: v.value === undefined ? stored.get(v.key)!.ciphertext : deps.secrets.encrypt(v.value, ENV_PURPOSE),
        },
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

/** The service's host names; domains/set-domains.ts changes them. */
export async function listServiceDomains(deps: Deps, serviceId: string): Promise<ServiceDomain[]> {
  return deps.db.serviceDomain.findMany({ where: { serviceId }, orderBy: { hostname: "asc" } });
}

async function requireService(deps: Deps, serviceId: string): Promise<void> {
  await getServiceOrThrow(deps, serviceId);
}
