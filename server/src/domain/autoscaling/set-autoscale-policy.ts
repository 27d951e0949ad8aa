// Sets a service's autoscaling policy (creating it the first time). Checked before anything is
// written: the bounds (min ≤ max, max within the account's droplet limit, counting the droplets it
// already has), the targets (at least one, in range), and what new servers are made from (an
// available snapshot, one of its regions). A change applies from the next evaluation; a scaling
// operation already running finishes the step it started.
import { z } from "zod";
import type { AutoscalePolicy } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { digitalOceanClient } from "../provisioning/environment.js";
import { asProviderError } from "../provisioning/droplet-steps.js";
import { parseInput } from "../validation.js";

const slug = (what: string) => z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, `must be a DigitalOcean ${what} slug`);
const seconds = (max: number) => z.number().int().min(0).max(max);

export const AutoscalePolicyInput = z
  .object({
    serviceId: z.string().uuid(),
    enabled: z.boolean(),
    minServers: z.number().int().min(1, "must be at least 1").max(100),
    maxServers: z.number().int().min(1).max(100),
    targetCpuPercent: z.number().min(1).max(100).nullable().default(null),
    targetRequestsPerSecond: z.number().gt(0).max(1_000_000).nullable().default(null),
    snapshotId: z.string().uuid().nullable().default(null),
    region: slug("region").nullable().default(null),
    size: slug("size").nullable().default(null),
    scaleOutStep: z.number().int().min(1).max(50).default(4),
    scaleOutCooldownSeconds: seconds(3600).default(180),
    scaleInWindowSeconds: seconds(3600).default(600),
    warmupSeconds: seconds(3600).default(120),
  })
  .superRefine((p, issue) => {
    if (p.minServers > p.maxServers) issue.addIssue({ code: "custom", path: ["maxServers"], message: `must be at least minServers (${p.minServers})` });
    if (p.targetCpuPercent === null && p.targetRequestsPerSecond === null) {
      issue.addIssue({ code: "custom", path: ["targetCpuPercent"], message: "set a CPU target, a requests-per-second target, or both" });
    }
    if (p.enabled && p.snapshotId === null) issue.addIssue({ code: "custom", path: ["snapshotId"], message: "an enabled policy needs the snapshot new servers are made from" });
  });

export type AutoscalePolicyInput = z.input<typeof AutoscalePolicyInput>;

export async function setAutoscalePolicy(deps: Deps, input: unknown): Promise<AutoscalePolicy> {
  const p = parseInput(AutoscalePolicyInput, input);
  const service = await deps.db.service.findUnique({ where: { id: p.serviceId }, select: { id: true } });
  if (!service) throw new NotFoundError("Service");

  let region = p.region;
  if (p.snapshotId !== null) {
    const snapshot = await deps.db.snapshot.findUnique({ where: { id: p.snapshotId } });
    if (!snapshot || snapshot.status !== "AVAILABLE") {
      throw invalid("snapshotId", snapshot ? `the snapshot ${snapshot.name} is ${snapshot.status.toLowerCase()}, not available` : "no such snapshot");
    }
    const regions = snapshot.regions as string[];
    region ??= regions[0] ?? null;
    if (region === null || !regions.includes(region)) throw invalid("region", `the snapshot is only in ${regions.join(", ")}`);
  }
  if (p.enabled) await checkDropletLimit(deps, p.serviceId, p.maxServers);

  const fields = {
    enabled: p.enabled,
    minServers: p.minServers,
    maxServers: p.maxServers,
    targetCpuPercent: p.targetCpuPercent,
    targetRequestsPerSecond: p.targetRequestsPerSecond,
    snapshotId: p.snapshotId,
    region,
    size: p.size,
    scaleOutStep: p.scaleOutStep,
    scaleOutCooldownSeconds: p.scaleOutCooldownSeconds,
    scaleInWindowSeconds: p.scaleInWindowSeconds,
    warmupSeconds: p.warmupSeconds,
  };
  return deps.db.autoscalePolicy.upsert({ where: { serviceId: p.serviceId }, create: { serviceId: p.serviceId, ...fields }, update: fields });
}

export async function getAutoscalePolicy(deps: Deps, serviceId: string): Promise<AutoscalePolicy | null> {
  return deps.db.autoscalePolicy.findUnique({ where: { serviceId } });
}

/** The droplets the policy may add must fit in what the account may still create. */
async function checkDropletLimit(deps: Deps, serviceId: string, maxServers: number): Promise<void> {
  const credential = await deps.db.credential.findUnique({ where: { provider_name: { provider: "DIGITALOCEAN", name: "default" } } });
  if (!credential) throw invalid("enabled", "scaling out creates droplets: set a DigitalOcean token first");
  let limit: number;
  let existing: number;
  try {
    const client = await digitalOceanClient(deps);
    limit = (await client.getAccount()).droplet_limit;
    existing = (await client.listManagedDroplets()).length;
  } catch (error) {
    throw asProviderError(error);
  }
  const serving = await deps.db.serviceServer.count({ where: { serviceId } });
  const room = limit - existing;
  if (maxServers > limit || maxServers - serving > room) {
    throw invalid("maxServers", `the DigitalOcean account may have ${limit} droplets and has ${existing}: at most ${Math.min(limit, serving + Math.max(0, room))} servers for this service`);
  }
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`Invalid input: ${field}: ${message}`, [{ path: [field], message }]);
}
