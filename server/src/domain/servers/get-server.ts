import type { Server } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { NotFoundError } from "../errors.js";

export async function findServer<Q extends object>(deps: Deps, id: string, query?: Q): Promise<Server | null> {
  return deps.db.server.findUnique({ ...query, where: { id } });
}

export async function getServerOrThrow<Q extends object>(deps: Deps, id: string, query?: Q): Promise<Server> {
  const server = await findServer(deps, id, query);
  if (!server) throw new NotFoundError("Server");
  return server;
}

/** Why a server is in ERROR or UNREACHABLE: the message of the last error event recorded for it. */
export async function serverStatusReason(deps: Deps, server: Pick<Server, "id" | "status">): Promise<string | null> {
  if (server.status !== "ERROR" && server.status !== "UNREACHABLE") return null;
  const event = await deps.db.operationEvent.findFirst({
    where: { serverId: server.id, level: "ERROR" },
    orderBy: { createdAt: "desc" },
    select: { message: true },
  });
  return event?.message ?? null;
}
