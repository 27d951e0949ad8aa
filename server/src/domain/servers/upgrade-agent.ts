import type { Operation } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { ConflictError } from "../errors.js";
import { startOperation } from "../operations/start-operation.js";
import { expectedAgentVersion } from "./agent-release.js";
import { getServerOrThrow } from "./get-server.js";
import { upgradeAgentOperation } from "./upgrade-agent-operation.js";

/** Reinstalls the agent this control plane ships (same token, same pinned host key). */
export async function upgradeAgent(deps: Deps, viewer: Viewer, serverId: string): Promise<Operation> {
  const server = await getServerOrThrow(deps, serverId);
  if (server.status === "PROVISIONING" || server.status === "DELETING") {
    throw new ConflictError(`The server "${server.name}" is ${server.status.toLowerCase()}; upgrade its agent once that has finished`);
  }
  if (!server.publicIpv4) throw new ConflictError(`The server "${server.name}" has no address yet`);
  return startOperation(deps, upgradeAgentOperation, { serverId: server.id }, {
    title: `Upgrade the agent on ${server.name} to ${expectedAgentVersion()}`,
    actorId: viewer.userId,
  });
}
