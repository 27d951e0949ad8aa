// Removing a server: it stops receiving deploys and traffic first (DRAINING, its ServiceServer
// rows removed, the server-removed listeners told), then its droplet is destroyed and followed
// until DigitalOcean no longer knows it, then its row is deleted. Deployments stay; the events
// that named the server keep their messages. An adopted SSH host is only forgotten, never touched.
import type { Operation } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { ConflictError } from "../errors.js";
import { startOperation, type OperationContext } from "../operations/run-operation.js";
import { getServerOrThrow } from "../servers/get-server.js";
import { asProviderError, destroyDroplet } from "./droplet-steps.js";
import { digitalOceanClient, provisioningEnvironment } from "./environment.js";
import { UnmanagedServerError } from "./errors.js";
import { notifyServerRemoved } from "./server-removed.js";

export const DELETE_SERVER_HANDLER = "delete-server";

export type DeleteServerJob = { serverId: string; force: boolean };

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
  return startOperation<DeleteServerJob>(deps, {
    handler: DELETE_SERVER_HANDLER,
    kind: "DELETE_SERVER",
    title: server.kind === "DROPLET" ? `Delete ${server.name} (droplet ${server.providerId ?? "?"})${force ? ", forced" : ""}` : `Forget ${server.name}`,
    input: { serverId: server.id, force },
    actorId: viewer.userId,
  });
}

export async function runDeleteServer(deps: Deps, ctx: OperationContext, job: DeleteServerJob): Promise<void> {
  const server = await deps.db.server.findUniqueOrThrow({ where: { id: job.serverId } });
  const emit = (step: string, message: string, level: "INFO" | "WARN" = "INFO") => ctx.emit({ step, message, level, serverId: server.id });
  try {
    const drained = await deps.db.serviceServer.deleteMany({ where: { serverId: server.id } });
    await emit("drain", `Removed the server from ${drained.count} service${drained.count === 1 ? "" : "s"}; deploys no longer target it`);
    const problems = await notifyServerRemoved(deps, { id: server.id, name: server.name, publicIpv4: server.publicIpv4 });
    for (const problem of problems) await emit("drain", `Could not stop routing to it: ${problem}`, "WARN");

    await deps.db.server.update({ where: { id: server.id }, data: { status: "DELETING" } });
    deps.connections.forget(server.id);
    if (server.kind === "DROPLET" && server.providerId) {
      const client = await digitalOceanClient(deps);
      await emit("destroy", `Destroying droplet ${server.providerId}`);
      await destroyDroplet(client, Number(server.providerId), { force: job.force, goneWaitMs: provisioningEnvironment(deps).goneWaitMs });
      await emit("destroy", `Droplet ${server.providerId} is gone`);
    } else {
      await emit("destroy", "An adopted host: Slipway forgets it and leaves the machine as it is");
    }
    await deps.db.server.delete({ where: { id: server.id } });
  } catch (error) {
    await deps.db.server.update({ where: { id: server.id }, data: { status: "ERROR" } }).catch(() => undefined);
    await ctx.emit({ step: "server-status", level: "ERROR", message: `The server is marked ERROR: ${(asProviderError(error) as Error).message}`, serverId: server.id });
    throw asProviderError(error);
  }
}
