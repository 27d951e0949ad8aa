import type { Server } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";

/** Every server by name; `query` carries the selection and page window GraphQL asked for. */
export async function listServers<Q extends object>(deps: Deps, query: Q): Promise<Server[]> {
  return deps.db.server.findMany({ ...query, orderBy: [{ name: "asc" }, { id: "asc" }] });
}

export async function countServers(deps: Deps): Promise<number> {
  return deps.db.server.count();
}
