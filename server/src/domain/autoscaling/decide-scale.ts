// One evaluation of a policy, from what was observed to what to do, with the reason in words.
// The larger recommendation of the targets wins. Scale out promptly: at most double (or
// +scaleOutStep, whichever is more) per step, then a cooldown. Scale in slowly: to the highest
// recommendation of the last scaleInWindowSeconds, one server at a time, only a server this
// policy created that answers, and never while a deploy runs. min/max always hold. Pure.
import { describeRecommendation, plural, recommendForMetric, type MetricRecommendation, type ServerObservation } from "./recommend-servers.js";

export interface PolicyRules {
  minServers: number;
  maxServers: number;
  targetCpuPercent: number | null;
  targetRequestsPerSecond: number | null;
  scaleOutStep: number;
  scaleOutCooldownSeconds: number;
  scaleInWindowSeconds: number;
  lastScaleOutAt: Date | null;
}

export interface DecisionInput {
  policy: PolicyRules;
  servers: readonly ServerObservation[];
  now: Date;
  /** The highest recommendation recorded within the scale-in window before this one (null: none). */
  windowHighest: number | null;
  deploymentRunning: boolean;
  /** A scaling operation of this service still running. */
  scalingOperationId: string | null;
  /** Whether any server runs a release of the service (scaling out copies it). */
  hasRelease: boolean;
}

export type ScaleAction = "NONE" | "SCALE_OUT" | "SCALE_IN";

export interface Decision {
  action: ScaleAction;
  current: number;
  /** What the targets ask for now (kept for the scale-in window). */
  recommended: number;
  desired: number;
  reason: string;
  /** Scale in: the server to remove. */
  removeServerId: string | null;
  recommendations: MetricRecommendation[];
}

export function decideScale(input: DecisionInput): Decision {
  const { policy, servers } = input;
  const current = servers.length;
  const recommendations = [
    policy.targetCpuPercent === null ? null : recommendForMetric("CPU", servers, policy.targetCpuPercent, (s) => s.cpuPercent),
    policy.targetRequestsPerSecond === null ? null : recommendForMetric("REQUESTS", servers, policy.targetRequestsPerSecond, (s) => s.requestsPerSecond),
  ].filter((r): r is MetricRecommendation => r !== null);
  const recommended = recommendations.length > 0 ? Math.max(...recommendations.map((r) => r.recommended)) : current;
  const why = recommendations.length > 0 ? recommendations.map(describeRecommendation).join("; ") : "no figures yet";
  const result = (action: ScaleAction, desired: number, outcome: string, removeServerId: string | null = null): Decision => ({
    action,
    current,
    recommended,
    desired,
    reason: `${why}: ${outcome}`,
    removeServerId,
    recommendations,
  });

  if (input.scalingOperationId) return result("NONE", current, `waiting for the running scaling operation`);
  if (!input.hasRelease) return result("NONE", current, "nothing to scale until a release of the service runs somewhere");

  // The bounds hold whatever the figures say.
  if (current < policy.minServers) return result("SCALE_OUT", policy.minServers, `below the minimum of ${policy.minServers}: scaling out to ${policy.minServers}`);
  if (current > policy.maxServers) return scaleIn(input, result, `above the maximum of ${policy.maxServers}`);

  if (recommended > current) {
    const stepLimit = Math.max(current * 2, current + policy.scaleOutStep);
    const desired = Math.min(recommended, stepLimit, policy.maxServers);
    if (desired <= current) return result("NONE", current, `already at the maximum of ${plural(policy.maxServers, "server")}`);
    const cooling = cooldownLeft(policy, input.now);
    if (cooling > 0) return result("NONE", current, `scaled out recently; ${cooling} s of cooldown left`);
    const limits = [desired < recommended ? (desired === policy.maxServers ? `the maximum is ${policy.maxServers}` : `at most ${stepLimit} at once`) : null].filter(Boolean);
    return result("SCALE_OUT", desired, `scaling out from ${current} to ${plural(desired, "server")}${limits.length ? ` (${limits.join(", ")})` : ""}`);
  }

  if (recommended < current) {
    const highest = Math.max(recommended, input.windowHighest ?? recommended);
    const target = Math.max(highest, policy.minServers);
    if (target >= current) {
      const held = highest >= current ? `the highest recommendation of the last ${policy.scaleInWindowSeconds} s is ${plural(highest, "server")}` : `the minimum is ${policy.minServers}`;
      return result("NONE", current, `staying at ${current}: ${held}`);
    }
    return scaleIn(input, result, `scaling in towards ${plural(target, "server")}`);
  }
  return result("NONE", current, `staying at ${plural(current, "server")}`);
}

/** One server out: the newest this policy created that answers; not while a deploy runs. */
function scaleIn(input: DecisionInput, result: (a: ScaleAction, d: number, o: string, id?: string | null) => Decision, why: string): Decision {
  const current = input.servers.length;
  if (input.deploymentRunning) return result("NONE", current, `${why}, but a deploy of the service is running`);
  const candidate = [...input.servers]
    .filter((s) => s.removable && !s.unreachable)
    .sort((a, b) => b.joinedAt.getTime() - a.joinedAt.getTime())[0];
  if (!candidate) return result("NONE", current, `${why}, but no server this policy created can be removed (adopted and hand-made servers never are; unreachable ones not until they answer)`);
  return result("SCALE_IN", current - 1, `${why}: removing ${candidate.name}`, candidate.serverId);
}

function cooldownLeft(policy: PolicyRules, now: Date): number {
  if (!policy.lastScaleOutAt) return 0;
  const left = policy.scaleOutCooldownSeconds * 1000 - (now.getTime() - policy.lastScaleOutAt.getTime());
  return left > 0 ? Math.ceil(left / 1000) : 0;
}
