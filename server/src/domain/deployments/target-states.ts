// A deployment's state on each of its servers, moved only along the protocol's one transition
// table (agent/src/protocol/release-states.ts). The database's ReleaseState enum holds the same
// states in capitals.
import { assertTransition, type ReleaseState } from "@slipway/agent/protocol";
import type { DeploymentTarget, Prisma, ReleaseState as DbReleaseState } from "../../generated/prisma/client.js";

export function toDbState(state: ReleaseState): DbReleaseState {
  return state.toUpperCase() as DbReleaseState;
}

export function fromDbState(state: DbReleaseState): ReleaseState {
  return state.toLowerCase() as ReleaseState;
}

export type TargetUpdate = Partial<Pick<DeploymentTarget, "containerId" | "error">>;

/**
 * Moves one target to `to`; throws IllegalTransitionError when the table does not allow it from
 * the state it is in. The write is conditional on the state read, so of two writers racing only
 * one moves it (answers whether this one did).
 */
export async function moveTarget(
  db: Pick<Prisma.TransactionClient, "deploymentTarget">,
  deploymentId: string,
  serverId: string,
  to: ReleaseState,
  data: TargetUpdate = {},
): Promise<boolean> {
  const current = await db.deploymentTarget.findUnique({ where: { deploymentId_serverId: { deploymentId, serverId } }, select: { state: true } });
  if (!current) return false;
  const from = fromDbState(current.state);
  if (from === to) {
    if (Object.keys(data).length > 0) await db.deploymentTarget.updateMany({ where: { deploymentId, serverId, state: current.state }, data });
    return true;
  }
  assertTransition(from, to);
  const moved = await db.deploymentTarget.updateMany({ where: { deploymentId, serverId, state: current.state }, data: { ...data, state: toDbState(to) } });
  return moved.count === 1;
}
