import type { Deps } from "../deps.js";
import type { OperationContext } from "../ports.js";
import { markServerUnreachable } from "../servers/server-reachability.js";
import { mapBounded } from "./bounded.js";
import { agentServiceName, secretValuesOf } from "./release-config.js";
import { loadDeployment, putBack, recordRunning, redactSecrets, setStatus, type DeployJob, type TargetWithServer } from "./run-deployment.js";
import { fromDbState, moveTarget } from "./target-states.js";

const ASK_CONCURRENCY = 8;

/**
 * A deploy (or rollback) whose replica died mid-run, recovered by the replica that noticed: ask
 * every target server what it runs now, and leave the whole fleet on one version — the new one if
 * every server had switched to it, else the one each ran before. Each server's state is recorded
 * (a server that cannot be asked is unknown and unreachable until it answers, then reconciled);
 * the deployment ends INTERRUPTED and is never run again.
 */
export async function recoverDeployment(deps: Deps, ctx: OperationContext, job: DeployJob): Promise<void> {
  const deployment = await loadDeployment(deps, job.deploymentId);
  if (!["QUEUED", "BUILDING", "DEPLOYING"].includes(deployment.status)) return; // it had ended; only the operation had not
  await redactSecrets(deps, ctx, deployment);
  for (const secret of secretValuesOf(deps, deployment)) ctx.redact(secret);
  if (deployment.sourceType === "ARCHIVE") await deps.buildContexts.delete(deployment.id);
  const service = agentServiceName(deployment.service);

  const seen = await mapBounded(deployment.targets, ASK_CONCURRENCY, async (target) => {
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
