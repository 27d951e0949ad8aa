// Whether the control plane may reach loopback, link-local and private addresses on a caller's
// behalf (adoptServer's host, git sources' servers). Off by default: otherwise any member could
// use Slipway to probe the network it runs in. An admin turns it on (the lab, an all-private
// network); SLIPWAY_ALLOW_PRIVATE_TARGETS sets the default before anyone has chosen.
import type { Deps } from "../deps.js";

const KEY = "network.allowPrivateTargets";

export interface NetworkPolicy {
  allowPrivateTargets: boolean;
}

export async function readNetworkPolicy(deps: Deps): Promise<NetworkPolicy> {
  const row = await deps.db.setting.findUnique({ where: { key: KEY } });
  return { allowPrivateTargets: typeof row?.value === "boolean" ? row.value : deps.config.allowPrivateTargets };
}

export async function setAllowPrivateTargets(deps: Deps, actorId: string, allow: boolean): Promise<NetworkPolicy> {
  await deps.db.setting.upsert({
    where: { key: KEY },
    create: { key: KEY, value: allow, updatedById: actorId },
    update: { value: allow, updatedById: actorId },
  });
  return readNetworkPolicy(deps);
}
