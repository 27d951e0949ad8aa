import type { AutoscaleDecision } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";

/** A service's latest autoscaling decisions, newest first. */
export async function listAutoscaleDecisions(deps: Deps, serviceId: string, options: { first: number; actedOnly: boolean }): Promise<AutoscaleDecision[]> {
  return deps.db.autoscaleDecision.findMany({
    where: { serviceId, ...(options.actedOnly ? { action: { not: "NONE" } } : {}) },
    orderBy: { at: "desc" },
    take: Math.min(Math.max(options.first, 1), 200),
  });
}
