import type { Operation } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { ACTIVE_DEPLOYMENT_STATUSES } from "../deployments/deploy-claim.js";
import { ConflictError } from "../errors.js";
import { startOperation } from "../operations/start-operation.js";
import { getServerOrThrow } from "../servers/get-server.js";
import { deleteServerOperation } from "./delete-server-operation.js";
import { UnmanagedServerError } from "./errors.js";

/** Claims the server for deletion (DRAINING) and starts the operation that removes it (delete-server-operation.ts). */
export async function deleteServer(deps: Deps, viewer: Viewer, serverId: string, options: { force?: boolean } = {}): Promise<Operation> {
  const force = options.force ?? false;
  const server = await getServerOrThrow(deps, serverId);
  if (server.kind === "DROPLET" && !server.managed && !force) {
    throw new UnmanagedServerError(`The droplet "${server.name}" is not managed by Slipway; refusing to destroy it unless forced`);
  }
  if (server.status === "PROVISIONING" || server.status === "DELETING") {
    throw new ConflictError(`The server "${server.name}" is ${server.status.toLowerCase()}; try again once that has finished`);
  }
  // Claimed in one write, so two deletes cannot both start.
  const claimed = await deps.db.server.updateMany({ where: { id: server.id, status: server.status }, data: { status: "DRAINING" } });
  if (claimed.count !== 1) throw new ConflictError(`The server "${server.name}" changed meanwhile; try again`);
  // Claimed first, then checked: a deploy recorded from now on finds the server not ACTIVE.
  const deploying = await deps.db.deploymentTarget.findFirst({
    where: { serverId: server.id, deployment: { status: { in: [...ACTIVE_DEPLOYMENT_STATUSES] } } },
    select: { deploymentId: true },
  });
  if (deploying) {
    await deps.db.server.updateMany({ where: { id: server.id, status: "DRAINING" }, data: { status: server.status } });
    throw new ConflictError(`A deployment (${deploying.deploymentId}) is releasing to "${server.name}"; delete it once that deployment has ended`);
  }
  return startOperation(deps, deleteServerOperation, { serverId: server.id, force }, {
    title: server.kind === "DROPLET" ? `Delete ${server.name} (droplet ${server.providerId ?? "?"})${force ? ", forced" : ""}` : `Forget ${server.name}`,
    actorId: viewer.userId,
  });
}
