import type { AgentStreamLine, ReleaseRequest, ReleaseResult } from "@slipway/agent/protocol";
import type { Deployment, DeploymentTarget, Prisma, Project, Server, Service } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { prepareReleaseTls, storedReleaseTls } from "../domains/prepare-release-tls.js";
import { syncDnsAfterRelease } from "../domains/sync-dns-records.js";
import { OperationCancelledError } from "../operations/lease.js";
import type { OperationContext } from "../ports.js";
import { mapBounded } from "./bounded.js";
import { openBuildContext } from "./build-context-source.js";
import { agentServiceName, releaseRequestFor, secretValuesOf } from "./release-config.js";
import { cleanupServiceImages } from "./cleanup-images.js";
import { explainReleaseFailure } from "../sources/explain-release-failure.js";
import { isEndedStatus, releaseDeploySlot } from "./deploy-claim.js";

/** What the deploy and rollback operations are given: the recorded deployment. */
export interface DeployJob {
  deploymentId: string;
  /** For events: what the uploaded archive turned out to be (checked when the deploy was requested). */
  contextDescription?: string;
  /** How the uploaded archive's build got its Dockerfile: `provided` or `generated:<kind>`. */
  contextDockerfile?: string;
}

// Servers are released in parallel, but not all at once: a fleet keeps most of its capacity.
const RELEASE_CONCURRENCY = 4;

export type TargetWithServer = DeploymentTarget & { server: Server };
export type LoadedDeployment = Deployment & { service: Service & { project: Project }; targets: TargetWithServer[] };

/**
 * The deploy (and rollback) operation: get the image onto every target once, then switch each
 * server to it behind its health check. If any server fails (or someone cancels), the servers
 * already switched go back to what they ran before, so the fleet never ends up running two versions.
 */
export async function runDeployment(deps: Deps, ctx: OperationContext, job: DeployJob): Promise<void> {
  const deployment = await loadDeployment(deps, job.deploymentId);
  await redactSecrets(deps, ctx, deployment);
  const names = { project: deployment.service.project, service: deployment.service };
  const service = agentServiceName(names.service);

  try {
    ctx.signal.throwIfAborted(); // cancelled while it waited in the queue
    await setStatus(ctx, deployment.id, { status: "BUILDING", startedAt: new Date() });
    // Before anything is built: a certificate that cannot be had fails the deploy early.
    const tls = await prepareReleaseTls(deps, ctx, deployment);
    const dockerfile = await placeImage(deps, ctx, deployment, service, job);
    ctx.signal.throwIfAborted();
    await setStatus(ctx, deployment.id, { status: "DEPLOYING" });
    const request = releaseRequestFor(deps, deployment, names, tls);
    // For an image built from a generated Dockerfile, a failed start says what to change.
    const explain = (error: string | null) => explainReleaseFailure(dockerfile, deployment.port, error);
    const outcomes = await mapBounded(deployment.targets, RELEASE_CONCURRENCY, async (target) =>
      ctx.signal.aborted ? notStarted(target) : releaseOn(deps, ctx, deployment.id, target, request, explain),
    );
    const failed = outcomes.filter((o) => o.result.outcome !== "switched");
    if (failed.length > 0 || ctx.signal.aborted) {
      // A server we lost contact with mid-release has most likely switched anyway (its agent goes
      // on alone), so it is put back too, like the servers that said they switched.
      await putBack(deps, ctx, deployment, outcomes.filter((o) => o.result.outcome === "switched" || !o.reached));
      ctx.signal.throwIfAborted();
      throw new Error(`Failed on ${failed.map((o) => `${o.target.server.name}: ${o.result.error ?? "unknown error"}`).join("; ")}`);
    }
    await ctx.fenced(async (tx) => {
      await recordRunning(tx, deployment);
      await tx.deployment.update({ where: { id: deployment.id }, data: { status: "SUCCEEDED", finishedAt: new Date() } });
      await releaseDeploySlot(tx, deployment.serviceId, deployment.id);
    });
  } catch (caught) {
    const error = ctx.signal.aborted ? ctx.signal.reason : caught;
    const cancelled = error instanceof OperationCancelledError;
    await setStatus(ctx, deployment.id, { status: cancelled ? "CANCELLED" : "FAILED", finishedAt: new Date(), error: cancelled ? "Cancelled" : ctx.scrub((error as Error).message) });
    throw error;
  }

  // The release is live whatever DNS does: a DNS problem is reported and retried by the next deploy.
  await syncDnsAfterRelease(deps, ctx, deployment);
  await ctx.emit({ step: "cleanup", message: "Removing images beyond the retention policy" });
  const cleaned = await cleanupServiceImages(deps, deployment.serviceId).catch((error: unknown) => {
    void ctx.emit({ step: "cleanup", level: "WARN", message: `Image cleanup failed: ${(error as Error).message}` });
    return null;
  });
  if (cleaned) await ctx.emit({ step: "cleanup", message: `Removed ${cleaned.removed} images, reclaimed ${cleaned.reclaimedBytes} bytes` });
}

/**
 * Builds or pulls the image on one server, then copies it to the others: never a rebuild.
 * Returns how the build got its Dockerfile (`generated:<kind>`, `provided`), when it built one.
 */
async function placeImage(deps: Deps, ctx: OperationContext, deployment: LoadedDeployment, service: string, job: DeployJob): Promise<string | undefined> {
  const [first, ...rest] = deployment.targets;
  if (!first) throw new Error("The deployment has no target servers");
  const tag = deployment.imageTag;
  const onLine = forwardLines(ctx, first.serverId);
  let holder = first.serverId;
  let dockerfile: string | undefined;

  if (deployment.restoredId) {
    // A rollback reuses the earlier image; find a server that still has it.
    holder = await findImageHolder(deps, deployment, service);
    await ctx.emit({ step: "image", message: `Reusing image ${tag}`, serverId: holder });
  } else if (deployment.sourceType === "IMAGE") {
    await ctx.emit({ step: "image", message: `Pulling ${deployment.sourceRef}`, serverId: holder });
    await deps.servers.pullImage(holder, { image: deployment.sourceRef, tag, service, deployment: deployment.id }, onLine);
  } else {
    const context = await openBuildContext(deps, deployment, job.contextDescription, job.contextDockerfile);
    dockerfile = context.dockerfile;
    try {
      await ctx.emit({ step: "build", message: `Building ${tag} (${context.description})`, serverId: holder });
      await deps.servers.buildImage(holder, context.stream, { tag, service, deployment: deployment.id }, onLine);
    } finally {
      await context.dispose();
    }
  }

  const others = [first, ...rest].filter((t) => t.serverId !== holder);
  await mapBounded(others, RELEASE_CONCURRENCY, async (target) => {
    ctx.signal.throwIfAborted();
    if (await hasImage(deps, target.serverId, service, tag)) return;
    await ctx.emit({ step: "image", message: `Copying ${tag}`, serverId: target.serverId });
    await deps.servers.copyImage(tag, holder, target.serverId);
  });
  return dockerfile;
}

async function findImageHolder(deps: Deps, deployment: LoadedDeployment, service: string): Promise<string> {
  for (const target of deployment.targets) {
    if (await hasImage(deps, target.serverId, service, deployment.imageTag)) return target.serverId;
  }
  throw new Error(`No target server still has ${deployment.imageTag}; it may have been cleaned up`);
}

async function hasImage(deps: Deps, serverId: string, service: string, tag: string): Promise<boolean> {
  const images = await deps.servers.listImages(serverId, service);
  return images.some((image) => image.tags.includes(tag));
}

export interface ReleaseOutcome {
  target: TargetWithServer;
  result: ReleaseResult;
  /** False when the agent's answer never came (connection lost): what the server runs is unknown. */
  reached: boolean;
}

async function releaseOn(
  deps: Deps,
  ctx: OperationContext,
  deploymentId: string,
  target: TargetWithServer,
  request: ReleaseRequest,
  explain: (error: string | null) => string | null = (error) => error,
): Promise<ReleaseOutcome> {
  await setTarget(ctx, deploymentId, target.serverId, { status: "STARTING" });
  const { result, reached } = await releaseOnServer(deps, ctx, target.serverId, request, explain);
  const switched = result.outcome === "switched";
  await setTarget(ctx, deploymentId, target.serverId, { status: switched ? "SWITCHED" : "FAILED", containerId: result.containerId, error: result.error });
  return { target, result, reached };
}

/** A server the release never reached (cancelled first): it still runs what it ran. */
function notStarted(target: TargetWithServer): ReleaseOutcome {
  return { target, reached: true, result: { outcome: "failed", state: "failed", containerId: null, previousContainerId: null, error: "cancelled before it started" } };
}

/** Asks one server to switch to a release; a server that cannot be reached is a failed release. */
async function releaseOnServer(
  deps: Deps,
  ctx: OperationContext,
  serverId: string,
  request: ReleaseRequest,
  explain: (error: string | null) => string | null = (error) => error,
): Promise<{ result: ReleaseResult; reached: boolean }> {
  let result: ReleaseResult;
  let reached = true;
  try {
    const answer = await deps.servers.release(serverId, request, forwardLines(ctx, serverId));
    result = { ...answer, error: explain(answer.error) };
  } catch (error) {
    reached = false;
    result = { outcome: "failed", state: "failed", containerId: null, previousContainerId: null, error: `lost contact with the server: ${(error as Error).message}` };
  }
  const switched = result.outcome === "switched";
  await ctx.emit({
    step: "release",
    level: switched ? "INFO" : "ERROR",
    message: switched ? `Now serving ${request.image}` : `Not switched: ${result.error}`,
    progress: 1,
    serverId,
  });
  return { result, reached };
}

/**
 * Returns servers to the release they ran before: those this deployment switched, and those it
 * lost contact with mid-release (they may have switched; releasing the earlier one is harmless).
 */
export async function putBack(deps: Deps, ctx: OperationContext, deployment: LoadedDeployment, outcomes: ReleaseOutcome[]): Promise<void> {
  await mapBounded(outcomes, RELEASE_CONCURRENCY, async ({ target, reached, result: failure }) => {
    if (!target.previousDeploymentId) {
      await ctx.emit({ step: "revert", level: "WARN", serverId: target.serverId, message: "No earlier release on this server to return to" });
      return;
    }
    const previous = await deps.db.deployment.findUniqueOrThrow({ where: { id: target.previousDeploymentId } });
    const names = { project: deployment.service.project, service: deployment.service };
    const why = reached ? "" : " (contact was lost mid-release: it may have switched)";
    await ctx.emit({ step: "revert", level: "WARN", serverId: target.serverId, message: `Putting back ${previous.imageTag}${why}` });
    const tls = await storedReleaseTls(deps, previous);
    const { result } = await releaseOnServer(deps, ctx, target.serverId, releaseRequestFor(deps, previous, names, tls));
    const back = result.outcome === "switched";
    await setTarget(
      ctx,
      deployment.id,
      target.serverId,
      reached
        ? { status: back ? "REVERTED" : "FAILED", error: back ? "reverted: another server failed" : `revert failed: ${result.error}` }
        : // The release itself failed here: the target stays FAILED, saying what became of the server.
          { status: "FAILED", error: back ? `${failure.error}; put back ${previous.imageTag}` : `${failure.error}; revert failed too: ${result.error}` },
    );
  });
}

export async function recordRunning(tx: Prisma.TransactionClient, deployment: LoadedDeployment): Promise<void> {
  for (const target of deployment.targets) {
    await tx.serviceServer.upsert({
      where: { serviceId_serverId: { serviceId: deployment.serviceId, serverId: target.serverId } },
      create: { serviceId: deployment.serviceId, serverId: target.serverId, currentDeploymentId: deployment.id },
      update: { currentDeploymentId: deployment.id },
    });
  }
}

/** Agent lines become operation events on the server they came from; build output line by line. */
export function forwardLines(ctx: OperationContext, serverId: string) {
  return async (line: AgentStreamLine): Promise<void> => {
    if (line.type === "progress") await ctx.emit({ step: line.step, message: line.message, progress: line.progress ?? null, serverId });
    else if (line.type === "log") await ctx.emit({ step: line.step, level: "DEBUG", message: line.line, serverId });
  };
}

/** This release's secrets, and those of the releases a failure may put back. */
export async function redactSecrets(deps: Deps, ctx: OperationContext, deployment: LoadedDeployment): Promise<void> {
  const previousIds = deployment.targets.map((t) => t.previousDeploymentId).filter((id): id is string => id !== null);
  const previous = await deps.db.deployment.findMany({ where: { id: { in: previousIds } }, select: { envCiphertext: true } });
  for (const release of [deployment, ...previous]) for (const secret of secretValuesOf(deps, release)) ctx.redact(secret);
}

export async function loadDeployment(deps: Deps, id: string): Promise<LoadedDeployment> {
  return deps.db.deployment.findUniqueOrThrow({
    where: { id },
    include: { service: { include: { project: true } }, targets: { include: { server: true }, orderBy: { server: { name: "asc" } } } },
  });
}

// Fenced on the operation's lease: a replica that lost it never overwrites the one that took over.
// A status that ends the deployment also gives back the service's deploy slot (deploy-claim.ts).
export async function setStatus(ctx: OperationContext, id: string, data: Partial<Pick<Deployment, "status" | "startedAt" | "finishedAt" | "error">>): Promise<void> {
  await ctx.fenced(async (tx) => {
    const updated = await tx.deployment.update({ where: { id }, data, select: { serviceId: true } });
    if (isEndedStatus(data.status)) await releaseDeploySlot(tx, updated.serviceId, id);
  });
}

export async function setTarget(
  ctx: OperationContext,
  deploymentId: string,
  serverId: string,
  data: Partial<Pick<DeploymentTarget, "status" | "containerId" | "error">>,
): Promise<void> {
  await ctx.fenced((tx) => tx.deploymentTarget.updateMany({ where: { deploymentId, serverId }, data }));
}
