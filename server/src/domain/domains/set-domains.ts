// The host names a service answers on. Like env vars, they take effect with the next deploy or
// rollback, which routes them in nginx, certifies them and points their DNS at the servers: DNS
// for a name nginx does not serve yet would only send visitors to an error page.
import { z } from "zod";
import type { Service } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { ConflictError } from "../errors.js";
import { isUniqueViolation } from "../projects/projects.js";
import { getServiceOrThrow } from "../services/services.js";
import { parseInput } from "../validation.js";

/** `https://Shop.Example.com/` → `shop.example.com`: host names as people paste them. Pure. */
export function bareHostname(line: string): string {
  return line.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/+$/, "").toLowerCase();
}

/** RFC 1123 host names, lowercase; anything else could end up inside an nginx config. */
export const hostname = z.preprocess(
  (value) => (typeof value === "string" ? bareHostname(value) : value),
  z
    .string()
    .max(253)
    .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/, "must be a host name like app.example.com"),
);

const SetDomainsInput = z.object({
  serviceId: z.string().uuid(),
  hostnames: z
    .array(hostname)
    .max(100)
    .refine((names) => new Set(names).size === names.length, "a host name appears twice"),
});

/** Replaces the service's host names; kept ones keep their certificate. */
export async function setDomains(deps: Deps, input: unknown): Promise<Service> {
  const { serviceId, hostnames } = parseInput(SetDomainsInput, input);
  await getServiceOrThrow(deps, serviceId);
  const existing = await deps.db.serviceDomain.findMany({ where: { serviceId }, select: { hostname: true } });
  const added = hostnames.filter((h) => !existing.some((e) => e.hostname === h));
  try {
    await deps.db.$transaction([
      deps.db.serviceDomain.deleteMany({ where: { serviceId, hostname: { notIn: hostnames } } }),
      ...added.map((name) => deps.db.serviceDomain.create({ data: { serviceId, hostname: name } })),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError("One of these host names already belongs to another service");
    throw error;
  }
  return getServiceOrThrow(deps, serviceId);
}
