import type { GiveUpResult } from "@slipway/agent/protocol";
import type { Deps } from "../deps.js";
import { ServerUnreachableError, type OperationContext } from "../ports.js";
import { markServerUnreachable } from "../servers/server-reachability.js";
import { mapBounded } from "./bounded.js";
import { agentServiceName, secretValuesOf } from "./release-config.js";
import { loadDeployment, putBack, recordRunning, redactSecrets, setStatus, type DeployJob, type TargetWithServer } from "./run-deployment.js";
import { fromDbState, moveTarget } from "./target-states.js";

const ASK_CONCURRENCY = 8;

/** What a target's agent did when told to give the release up, in words. */
const GAVE_UP: Record<GiveUpResult["outcome"], string> = {
  gave_up: "gave this release up before its switch: its new container is removed, the previous release keeps serving",
  nothing_in_flight: "had no release of it running; it will not start one any more",
  switched: "had switched to this release",
};

/**
 * A deploy (or rollback) whose replica died mid-run, recovered by the replica that noticed: tell
 * every target server's agent to give the release up (the replica that asked for it may only be
 * frozen, or cut off, with its connections still open: its releases would switch once healthy),
 * then ask each what it runs now, and leave the whole fleet on one version — the new one if every
 * server had switched to it, else the one each ran before. Each server's state is recorded (a
 * server that cannot be asked is unknown and unreachable until it answers, then reconciled); the
 * deployment ends INTERRUPTED and is never run again.
 */
export async function recoverDeployment(deps: Deps, ctx: OperationContext, job: DeployJob): Promise<void> {
  const deployment = await loadDeployment(deps, job.deploymentId);
  if (!["QUEUED", "BUILDING", "DEPLOYING"].includes(deployment.status)) return; // it had ended; only the operation had not
  await redactSecrets(deps, ctx, deployment);
  for (const secret of secretValuesOf(deps, deployment)) ctx.redact(secret);
  if (deployment.sourceType === "ARCHIVE") await deps.buildContexts.delete(deployment.id);
  const service = agentServiceName(deployment.service);

  const seen = await mapBounded(deployment.targets, ASK_CONCURRENCY, async (target) => {
    const unreachable = await giveUp(deps, ctx, target, service, deployment.id);
    if (unreachable) return { target, runsNew: false, reachable: false, error: unreachable.message };
    try {
      const status = await deps.servers.serviceStatus(target.serverId, service);
      return { target, runsNew: status.deployment === deployment.id, reachable: true, error: null };
    } catch (error) {
      return { target, runsNew: false, reachable: false, error: (error as Error).message };
    }
  });
  for (const server of seen) {
    await ctx.emit({
      step: "recover",
      serverId: server.target.serverId,
      level: server.reachable ? "INFO" : "WARN",
      message: server.reachable
        ? `${server.target.server.name} runs ${server.runsNew ? "this release" : "its previous release"}`
        : `${server.target.server.name} cannot be reached (${server.error}); what it runs is unknown until it answers again`,
    });
  }

  if (seen.every((s) => s.runsNew)) {
    await ctx.emit({ step: "recover", message: "Every server had switched: the fleet stays on this release" });
    await ctx.fenced(async (tx) => {
      await recordRunning(tx, deployment);
      for (const { target } of seen) await observe(tx, deployment.id, target, "live");
    });
  } else {
    const switched = seen.filter((s) => s.runsNew);
    await ctx.emit({ step: "recover", message: switched.length > 0 ? "Putting the switched servers back on their previous release" : "No server had switched: nothing to put back" });
    await ctx.fenced(async (tx) => {
      for (const s of switched) await observe(tx, deployment.id, s.target, "live");
    });
    await putBack(deps, ctx, deployment, switched);
    for (const server of seen.filter((s) => !s.runsNew)) {
      await ctx.fenced((tx) => observe(tx, deployment.id, server.target, server.reachable ? "previous" : "lost"));
      if (!server.reachable) await markServerUnreachable(deps, server.target.serverId);
    }
  }
  await setStatus(ctx, deployment.id, { status: "INTERRUPTED", finishedAt: new Date(), error: "The control plane replica running this deployment stopped" });
}

/**
 * Tells the target's agent to give the deployment's release up, and records what it did. A failure
 * is recorded and not fatal (an agent older than this call answers 404): what the server runs is
 * asked next all the same, unless the server could not be reached (returned, not asked twice).
 */
async function giveUp(deps: Deps, ctx: OperationContext, target: TargetWithServer, service: string, deploymentId: string): Promise<ServerUnreachableError | null> {
  const { serverId, server } = target;
  try {
    const { outcome } = await deps.servers.giveUpRelease(serverId, service, deploymentId);
    await ctx.emit({ step: "recover", serverId, message: `${server.name}: ${GAVE_UP[outcome]}` });
    return null;
  } catch (error) {
    await ctx.emit({ step: "recover", serverId, level: "WARN", message: `${server.name}: could not tell it to give this release up: ${(error as Error).message}` });
    return error instanceof ServerUnreachableError ? error : null;
  }
}

/**
 * What a server was seen running becomes its target's state, along the transition table: from a
 * state mid-release, "unknown" first (the replica that knew died), then what was seen.
 */
async function observe(tx: Parameters<typeof moveTarget>[0], deploymentId: string, target: TargetWithServer, seen: "live" | "previous" | "lost"): Promise<void> {
  const error = seen === "previous" ? "interrupted before this server switched; it still runs its previous release" : "interrupted";
  const state = fromDbState((await tx.deploymentTarget.findUniqueOrThrow({ where: { deploymentId_serverId: { deploymentId, serverId: target.serverId } } })).state);
  if (seen === "previous" && ["switched", "draining", "stopped"].includes(state)) return void (await moveTarget(tx, deploymentId, target.serverId, "reverted", { error }));
  if (seen === "previous" && state !== "unknown") return void (await moveTarget(tx, deploymentId, target.serverId, "failed", { error }));
  if (state !== "unknown" && state !== "stopped") await moveTarget(tx, deploymentId, target.serverId, "unknown", { error });
  if (seen === "live") await moveTarget(tx, deploymentId, target.serverId, "stopped");
  if (seen === "previous") await moveTarget(tx, deploymentId, target.serverId, "failed", { error });
}
