import { isIPv4 } from "node:net";
import { DEFAULT_AGENT_PORT } from "@slipway/agent/protocol";
import { z } from "zod";
import type { Operation } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { ConflictError, ValidationError } from "../errors.js";
import { resolveAllowedTarget } from "../network/outbound-target.js";
import { startOperation } from "../operations/start-operation.js";
import { isUniqueViolation } from "../projects/projects.js";
import { parseInput, port, resourceName } from "../validation.js";
import { adoptServerOperation } from "./adopt-server-operation.js";

const hostname = z
  .string()
  .max(253)
  .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, "must be an IPv4 address or a hostname");

export const AdoptServerInput = z.object({
  name: resourceName,
  host: z.string().trim().toLowerCase().pipe(z.union([z.ipv4(), hostname], { error: "must be an IPv4 address or a hostname" })),
  sshPort: port.default(22),
  sshUser: z
    .string()
    .trim()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a POSIX user name (lowercase letters, digits, _ and -)")
    .default("root"),
});

/**
 * Registers an existing SSH host (status PROVISIONING) and starts the operation that pins its host
 * key and installs the agent. Adopted hosts are never "managed": Slipway did not create them.
 */
export async function adoptServer(deps: Deps, viewer: Viewer, input: unknown): Promise<Operation> {
  const parsed = parseInput(AdoptServerInput, input);
  const address = (await resolveAllowedTarget(deps, parsed.host, ["host"])).find((a) => isIPv4(a));
  if (!address) {
    throw new ValidationError(`Invalid input: host: ${parsed.host} does not resolve to an IPv4 address`, [{ path: ["host"], message: "does not resolve to an IPv4 address" }]);
  }
  const taken = await deps.db.server.findFirst({ where: { publicIpv4: address, sshPort: parsed.sshPort }, select: { name: true } });
  if (taken) throw new ConflictError(`${address}:${parsed.sshPort} is already the server "${taken.name}"`);
  let serverId: string;
  try {
    const server = await deps.db.server.create({
      data: {
        name: parsed.name,
        kind: "SSH_HOST",
        publicIpv4: address,
        sshPort: parsed.sshPort,
        sshUser: parsed.sshUser,
        status: "PROVISIONING",
        managed: false,
        agentPort: DEFAULT_AGENT_PORT,
      },
    });
    serverId = server.id;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`A server named "${parsed.name}" already exists`);
    throw error;
  }
  return startOperation(deps, adoptServerOperation, { serverId }, {
    title: `Adopt ${parsed.name} (${parsed.sshUser}@${address}:${parsed.sshPort})`,
    actorId: viewer.userId,
  });
}
