import type { Operation } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { ConflictError } from "../errors.js";
import { startOperation } from "../operations/run-operation.js";
import { expectedAgentVersion } from "./agent-release.js";
import { getServerOrThrow } from "./get-server.js";
import { UPGRADE_AGENT_HANDLER, type ServerOperationInput } from "./server-operations.js";

/** Reinstalls the agent this control plane ships (same token, same pinned host key). */
export async function upgradeAgent(deps: Deps, viewer: Viewer, serverId: string): Promise<Operation> {
  const server = await getServerOrThrow(deps, serverId);
  if (server.status === "PROVISIONING" || server.status === "DELETING") {
    throw new ConflictError(`The server "${server.name}" is ${server.status.toLowerCase()}; upgrade its agent once that has finished`);
  }
  if (!server.publicIpv4) throw new ConflictError(`The server "${server.name}" has no address yet`);
  return startOperation<ServerOperationInput>(deps, {
    handler: UPGRADE_AGENT_HANDLER,
    kind: "UPGRADE_AGENT",
    title: `Upgrade the agent on ${server.name} to ${expectedAgentVersion()}`,
    input: { serverId: server.id },
    actorId: viewer.userId,
  });
}
