// Flow 2, the request: reserve the servers' names (rows in PROVISIONING) and start the operation
// (provision-servers-operation.ts).
import { randomBytes } from "node:crypto";
import { DEFAULT_AGENT_PORT } from "@slipway/agent/protocol";
import { z } from "zod";
import type { Operation, Server } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import { readProviderToken } from "../credentials/credentials.js";
import type { Deps } from "../deps.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { startOperation } from "../operations/start-operation.js";
import { isUniqueViolation } from "../projects/projects.js";
import { parseInput, resourceName } from "../validation.js";
import { provisionServersOperation } from "./provision-servers-operation.js";

export const ProvisionServersInput = z.object({
  snapshotId: z.string().min(1),
  count: z.number().int().min(1).max(50).default(1),
  /** Each server is named `<prefix>-<6 hex>`. */
  namePrefix: resourceName.refine((p) => p.length <= 32, "must be at most 32 characters").default("server"),
  region: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be a DigitalOcean region slug").optional(),
  size: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be a DigitalOcean size slug").default("s-1vcpu-1gb"),
});

/** Reserves the servers' names (rows in PROVISIONING) and starts the operation that creates them. */
export async function provisionServers(deps: Deps, viewer: Viewer, input: unknown): Promise<Operation> {
  const parsed = parseInput(ProvisionServersInput, input);
  const snapshot = await deps.db.snapshot.findUnique({ where: { id: parsed.snapshotId } });
  if (!snapshot) throw new NotFoundError("Snapshot");
  if (snapshot.status !== "AVAILABLE" || !snapshot.providerId) {
    throw new ConflictError(`The snapshot ${snapshot.name} is ${snapshot.status.toLowerCase()}, not available`);
  }
  const regions = snapshot.regions as string[];
  const region = parsed.region ?? regions[0]!;
  if (!regions.includes(region)) {
    throw new ValidationError(`Invalid input: region: the snapshot ${snapshot.name} is in ${regions.join(", ")}`, [
      { path: ["region"], message: `the snapshot is only in ${regions.join(", ")}` },
    ]);
  }
  await readProviderToken(deps, "DIGITALOCEAN"); // NotFoundError before anything is recorded

  const names = Array.from({ length: parsed.count }, () => `${parsed.namePrefix}-${randomBytes(3).toString("hex")}`);
  let servers: Server[];
  try {
    servers = await deps.db.$transaction(
      names.map((name) =>
        deps.db.server.create({
          data: { name, kind: "DROPLET", managed: true, status: "PROVISIONING", region, size: parsed.size, snapshotId: snapshot.id, agentPort: DEFAULT_AGENT_PORT },
        }),
      ),
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError("A server with one of the generated names already exists; try again");
    throw error;
  }
  return startOperation(
    deps,
    provisionServersOperation,
    { serverIds: servers.map((s) => s.id), snapshotProviderId: snapshot.providerId, region, size: parsed.size },
    { title: `Provision ${parsed.count} server${parsed.count === 1 ? "" : "s"} from ${snapshot.name} (${region}, ${parsed.size})`, actorId: viewer.userId },
  );
}
