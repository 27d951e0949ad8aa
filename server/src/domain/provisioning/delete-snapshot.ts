import type { Snapshot } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { asProviderError } from "./droplet-steps.js";
import { digitalOceanClient } from "./environment.js";

/**
 * Deletes the snapshot's image at DigitalOcean and marks the record DELETED (servers made from it
 * keep pointing at it, for history). One being created is refused.
 */
export async function deleteSnapshot(deps: Deps, snapshotId: string): Promise<Snapshot> {
  const snapshot = await deps.db.snapshot.findUnique({ where: { id: snapshotId } });
  if (!snapshot || snapshot.status === "DELETED") throw new NotFoundError("Snapshot");
  if (snapshot.status === "CREATING") throw new ConflictError(`The snapshot ${snapshot.name} is still being created`);
  if (snapshot.providerId) {
    const client = await digitalOceanClient(deps);
    try {
      await client.deleteSnapshot(snapshot.providerId);
    } catch (error) {
      throw asProviderError(error);
    }
  }
  return deps.db.snapshot.update({ where: { id: snapshot.id }, data: { status: "DELETED" } });
}
