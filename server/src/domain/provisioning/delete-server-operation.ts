// Removing a server: it stops receiving deploys and traffic first (DRAINING, its ServiceServer
// rows removed, the server-removed hooks called), then its droplet is destroyed and followed
// until DigitalOcean no longer knows it, then its row is deleted. Deployments stay; the events
// that named the server keep their messages. An adopted SSH host is only forgotten, never touched.
import { z } from "zod";
import type { Deps } from "../deps.js";
import { defineOperation } from "../operations/operation.js";
import type { OperationContext } from "../ports.js";
import { asProviderError, destroyDroplet } from "./droplet-steps.js";
import { digitalOceanClient } from "./environment.js";

/** Takes the server out of its services and routing, destroys its droplet (an adopted host is only forgotten), deletes its row. */
export async function runDeleteServer(deps: Deps, ctx: OperationContext, job: { serverId: string; force: boolean }): Promise<void> {
  const server = await deps.db.server.findUniqueOrThrow({ where: { id: job.serverId } });
  const emit = (step: string, message: string, level: "INFO" | "WARN" = "INFO") => ctx.emit({ step, message, level, serverId: server.id });
  try {
    const drained = await deps.db.serviceServer.deleteMany({ where: { serverId: server.id } });
    await emit("drain", `Removed the server from ${drained.count} service${drained.count === 1 ? "" : "s"}; deploys no longer target it`);
    for (const hook of deps.serverRemovedHooks) {
      await hook({ id: server.id, name: server.name, publicIpv4: server.publicIpv4 }).catch((problem: Error) =>
        emit("drain", `Could not stop routing to it: ${problem.message}`, "WARN"),
      );
    }

    await deps.db.server.update({ where: { id: server.id }, data: { status: "DELETING" } });
    deps.connections.forget(server.id);
    if (server.kind === "DROPLET" && server.providerId) {
      const client = await digitalOceanClient(deps);
      await emit("destroy", `Destroying droplet ${server.providerId}`);
      await destroyDroplet(client, Number(server.providerId), { force: job.force, goneWaitMs: deps.provisioning.goneWaitMs });
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


export const deleteServerOperation = defineOperation({
  name: "delete-server",
  kind: "DELETE_SERVER",
  input: z.object({ serverId: z.string().uuid(), force: z.boolean() }),
  run: runDeleteServer,
  recover: async (deps, ctx, job) => {
    await ctx.fenced((tx) => tx.server.updateMany({ where: { id: job.serverId }, data: { status: "ERROR" } }));
    await ctx.emit({ step: "server-status", level: "WARN", serverId: job.serverId, message: "The server is marked ERROR: its deletion was interrupted; delete it again" });
  },
});
