// Whether the control plane can reach a server: marked UNREACHABLE (with the time) when contact is
// lost mid-operation, and ACTIVE again once its agent answers.
import type { Deps } from "../deps.js";

/** Contact was lost: the server shows as unreachable since now (or since it was first lost). */
export async function markServerUnreachable(deps: Deps, serverId: string): Promise<void> {
  const now = new Date();
  await deps.db.server.updateMany({ where: { id: serverId, status: "ACTIVE" }, data: { status: "UNREACHABLE", unreachableSince: now } });
  await deps.db.server.updateMany({ where: { id: serverId, status: "UNREACHABLE", unreachableSince: null }, data: { unreachableSince: now } });
}

/** Its agent answered: it is reachable again. */
export async function markServerReachable(deps: Deps, serverId: string): Promise<void> {
  await deps.db.server.updateMany({ where: { id: serverId, status: "UNREACHABLE" }, data: { status: "ACTIVE", unreachableSince: null, lastSeenAt: new Date() } });
}
