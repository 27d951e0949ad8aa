import type { Deps } from "../deps.js";
import type { OperationContext } from "../ports.js";
import { mapBounded } from "./bounded.js";
import { agentServiceName, secretValuesOf } from "./release-config.js";
import {
  loadDeployment, putBack, recordRunning, redactSecrets, setStatus, setTarget, type DeployJob, type ReleaseOutcome, type TargetWithServer,
} from "./run-deployment.js";

const ASK_CONCURRENCY = 8;

/**
 * A deploy (or rollback) whose replica died mid-run, recovered by the replica that noticed: ask
 * every target server what it runs now, and leave the whole fleet on one version — the new one if
 * every server had switched to it, else the one each ran before. Each server's outcome is
 * recorded; the deployment ends INTERRUPTED and is never run again.
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
        : `${server.target.server.name} cannot be reached (${server.error}); what it runs is unknown`,
    });
  }

  if (seen.every((s) => s.runsNew)) {
    await ctx.emit({ step: "recover", message: "Every server had switched: the fleet stays on this release" });
    await ctx.fenced(async (tx) => {
      await recordRunning(tx, deployment);
      for (const { target } of seen) await tx.deploymentTarget.updateMany({ where: { deploymentId: deployment.id, serverId: target.serverId }, data: { status: "SWITCHED" } });
    });
  } else {
    const switched = seen.filter((s) => s.runsNew || !s.reachable).map(asOutcome);
    await ctx.emit({ step: "recover", message: switched.length > 0 ? "Putting the switched servers back on their previous release" : "No server had switched: nothing to put back" });
    await putBack(deps, ctx, deployment, switched);
    for (const server of seen.filter((s) => !s.runsNew && s.reachable)) {
      await setTarget(ctx, deployment.id, server.target.serverId, { status: "FAILED", error: "interrupted before this server switched; it still runs its previous release" });
    }
  }
  await setStatus(ctx, deployment.id, { status: "INTERRUPTED", finishedAt: new Date(), error: "The control plane replica running this deployment stopped" });
}

function asOutcome(server: { target: TargetWithServer; reachable: boolean; error: string | null }): ReleaseOutcome {
  return {
    target: server.target,
    reached: server.reachable,
    result: { outcome: server.reachable ? "switched" : "failed", state: server.reachable ? "switched" : "failed", containerId: null, previousContainerId: null, error: server.error ?? "interrupted" },
  };
}
