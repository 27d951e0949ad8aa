import type { Snapshot } from "../../generated/prisma/client.js";
import type { Region, Size } from "../../integrations/digitalocean/index.js";
import type { Deps } from "../deps.js";
import { asProviderError } from "./droplet-steps.js";
import { digitalOceanClient } from "./environment.js";

/** Recorded snapshots, newest first; deleted ones only when asked for. */
export async function listSnapshots<Q extends object>(deps: Deps, options: { includeDeleted?: boolean }, query: Q): Promise<Snapshot[]> {
  return deps.db.snapshot.findMany({ ...query, where: options.includeDeleted ? {} : { status: { not: "DELETED" } }, orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
}

export async function countSnapshots(deps: Deps, options: { includeDeleted?: boolean }): Promise<number> {
  return deps.db.snapshot.count({ where: options.includeDeleted ? {} : { status: { not: "DELETED" } } });
}

/** DigitalOcean's regions, asked with the stored credential. */
export async function listRegions(deps: Deps): Promise<Region[]> {
  const client = await digitalOceanClient(deps);
  return client.listRegions().catch((error: unknown) => Promise.reject(asProviderError(error)));
}

export async function listSizes(deps: Deps): Promise<Size[]> {
  const client = await digitalOceanClient(deps);
  return client.listSizes().catch((error: unknown) => Promise.reject(asProviderError(error)));
}
