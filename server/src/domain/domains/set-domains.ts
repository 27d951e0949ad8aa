// The host names a service answers on. Like env vars, they take effect with the next deploy or
// rollback, which routes them in nginx, certifies them and points their DNS at the servers: DNS
// for a name nginx does not serve yet would only send visitors to an error page.
import { z } from "zod";
import type { Service } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { isAdmin, type Viewer } from "../auth/viewer.js";
import { ConflictError, ForbiddenError, ValidationError } from "../errors.js";
import { isUniqueViolation } from "../projects/projects.js";
import { getServiceOrThrow } from "../services/services.js";
import { parseInput } from "../validation.js";
import { logReport, openCloudflare } from "./cloudflare-access.js";
import { foreignRecordsAt } from "./dns-ownership.js";

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
  /** Names whose existing DNS records (not Slipway's) an admin lets Slipway take over. */
  adopt: z.array(hostname).max(100).default([]),
});

/**
 * Replaces the service's host names; kept ones keep their certificate. A new name where DNS
 * records Slipway did not create already point somewhere (an A, AAAA or CNAME record: a mail
 * server, another site) is refused, unless an admin adopts it explicitly.
 */
export async function setDomains(deps: Deps, viewer: Viewer, input: unknown): Promise<Service> {
  const { serviceId, hostnames, adopt } = parseInput(SetDomainsInput, input);
  await getServiceOrThrow(deps, serviceId);
  const strays = adopt.filter((name) => !hostnames.includes(name));
  if (strays.length > 0) {
    throw new ValidationError(`Only names in the list can be adopted: ${strays.join(", ")}`, [{ path: ["adopt"], message: `not in hostnames: ${strays.join(", ")}` }]);
  }
  if (adopt.length > 0 && !isAdmin(viewer)) throw new ForbiddenError("Only an admin can let Slipway take over DNS records it did not create");
  const existing = await deps.db.serviceDomain.findMany({ where: { serviceId }, select: { hostname: true } });
  const added = hostnames.filter((h) => !existing.some((e) => e.hostname === h));
  await refuseForeignRecords(deps, added.filter((h) => !adopt.includes(h)));
  const adoptedAt = deps.clock.now();
  try {
    await deps.db.$transaction([
      deps.db.serviceDomain.deleteMany({ where: { serviceId, hostname: { notIn: hostnames } } }),
      ...added.map((name) => deps.db.serviceDomain.create({ data: { serviceId, hostname: name, dnsAdoptedAt: adopt.includes(name) ? adoptedAt : null } })),
      ...(adopt.length > 0 ? [deps.db.serviceDomain.updateMany({ where: { serviceId, hostname: { in: adopt } }, data: { dnsAdoptedAt: adoptedAt } })] : []),
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError("One of these host names already belongs to another service");
    throw error;
  }
  return getServiceOrThrow(deps, serviceId);
}

/** Without a Cloudflare credential nothing is checked (and DNS is not managed either). */
async function refuseForeignRecords(deps: Deps, hostnames: string[]): Promise<void> {
  if (hostnames.length === 0) return;
  const cloudflare = await openCloudflare(deps, logReport(deps), "domains");
  if (!cloudflare) return;
  const held: string[] = [];
  for (const name of hostnames) {
    const foreign = await foreignRecordsAt(deps, cloudflare, name);
    if (foreign && foreign.length > 0) held.push(`${name} (${foreign.join(", ")})`);
  }
  if (held.length > 0) {
    throw new ConflictError(
      `DNS records Slipway did not create already point these names elsewhere: ${held.join("; ")}. ` +
        "Slipway will not replace them; an admin can adopt a name explicitly (adopt).",
    );
  }
}
