import {
  isLive, RELEASE_PROGRESS, type AgentStreamLine, type ReleaseRequestInput, type ReleaseState,
} from "@slipway/agent/protocol";
import type { Deployment, DeploymentTarget, Prisma, Project, Server, Service } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { prepareReleaseTls, storedReleaseTls } from "../domains/prepare-release-tls.js";
import { syncDnsAfterRelease } from "../domains/sync-dns-records.js";
import { OperationCancelledError } from "../operations/lease.js";
import { ServerUnreachableError, type OperationContext } from "../ports.js";
import { markServerUnreachable } from "../servers/server-reachability.js";
import { mapBounded } from "./bounded.js";
import { openBuildContext } from "./build-context-source.js";
import { cleanupServiceImages } from "./cleanup-images.js";
import { explainReleaseFailure } from "../sources/explain-release-failure.js";
import { isEndedStatus, releaseDeploySlot } from "./deploy-claim.js";
import { agentServiceName, releaseRequestFor, secretValuesOf } from "./release-config.js";
import { moveTarget, toDbState } from "./target-states.js";

/** What the deploy and rollback operations are given: the recorded deployment. */
export interface DeployJob {
  deploymentId: string;
  /** For events: what the uploaded archive turned out to be (checked when the deploy was requested). */
  contextDescription?: string;
  /** How the uploaded archive's build got its Dockerfile: `provided` or `generated:<kind>`. */
  contextDockerfile?: string;
  /** An image source is pulled even when the reference is on the server already. */
  pullAlways?: boolean;
}

// Servers are released in parallel, but not all at once: a fleet keeps most of its capacity.
const RELEASE_CONCURRENCY = 4;

export type TargetWithServer = DeploymentTarget & { server: Server };
export type LoadedDeployment = Deployment & { service: Service & { project: Project }; targets: TargetWithServer[] };

/** A failure on one server, in words: which server, at which step, what happened. */
class ServerStepError extends Error {
  constructor(server: Pick<Server, "name">, step: string, reason: string) {
    super(`${server.name}: ${step} failed: ${reason}`);
  }
}

/**
 * The deploy (and rollback) operation: get the image onto every target once, then switch each
 * server to it behind its health check. If any server fails (or someone cancels), the servers
 * already switched go back to what they ran before, so the fleet never ends up running two
 * versions; a server lost mid-release is left to the reconciliation that brings it in line once
 * it answers again. Each target's release state is written at every transition, and "routed" is
 * reported once every server routes to the new release, before old containers finish draining.
 */
export async function runDeployment(deps: Deps, ctx: OperationContext, job: DeployJob): Promise<void> {
  const deployment = await loadDeployment(deps, job.deploymentId);
  const scrub = await redactSecrets(deps, ctx, deployment);
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
    const routing = new Routing(ctx, deployment);
    // For an image built from a generated Dockerfile, a failed start says what to change.
    const explain = (error: string | null) => explainReleaseFailure(dockerfile, deployment.port, error);
    const outcomes = await mapBounded(deployment.targets, RELEASE_CONCURRENCY, async (target) =>
      ctx.signal.aborted ? notStarted(ctx, deployment.id, target) : releaseOn(deps, ctx, deployment, target, request, routing, explain),
    );
    const failed = outcomes.filter((o) => !isLive(o.state));
    if (failed.length > 0 || ctx.signal.aborted) {
      await putBack(deps, ctx, deployment, outcomes.filter((o) => isLive(o.state)));
      ctx.signal.throwIfAborted();
      throw new Error(`Failed on ${failed.map((o) => `${o.target.server.name} (${o.step}): ${o.error ?? "unknown error"}`).join("; ")}`);
    }
    await ctx.fenced(async (tx) => {
      await recordRunning(tx, deployment, new Map(outcomes.map((o) => [o.target.serverId, o.containerId])));
      await tx.deployment.update({ where: { id: deployment.id }, data: { status: "SUCCEEDED", finishedAt: new Date() } });
      await releaseDeploySlot(tx, deployment.serviceId, deployment.id);
    });
  } catch (caught) {
    const error = ctx.signal.aborted ? ctx.signal.reason : caught;
    const cancelled = error instanceof OperationCancelledError;
    const message = cancelled ? "Cancelled" : scrub((error as Error).message);
    await ctx.fenced(async (tx) => {
      // Targets that never started (an earlier step failed) end failed, saying why.
      await tx.deploymentTarget.updateMany({ where: { deploymentId: deployment.id, state: "PENDING" }, data: { state: "FAILED", error: `not started: ${message}` } });
      await tx.deployment.update({ where: { id: deployment.id }, data: { status: cancelled ? "CANCELLED" : "FAILED", finishedAt: new Date(), error: message } });
      await releaseDeploySlot(tx, deployment.serviceId, deployment.id);
    });
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
 * Builds or pulls the image on one server, then copies it to the others: never a rebuild. A
 * rollback whose image every server still has does nothing here. A server that fails (or is
 * lost) at this step fails the deployment before any server switched, and is named. Returns how
 * the build got its Dockerfile (`generated:<kind>`, `provided`), when it built one.
 */
async function placeImage(deps: Deps, ctx: OperationContext, deployment: LoadedDeployment, service: string, job: DeployJob): Promise<string | undefined> {
  const [first] = deployment.targets;
  if (!first) throw new Error("The deployment has no target servers");
  const tag = deployment.imageTag;
  const image = { tag, service, deployment: deployment.id };
  const byId = new Map(deployment.targets.map((t) => [t.serverId, t.server]));
  const onServer = async <T>(serverId: string, step: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw await stepFailure(deps, ctx, byId.get(serverId)!, step, error);
    }
  };

  let holders: string[];
  let dockerfile: string | undefined;
  if (deployment.restoredId) {
    // A rollback reuses the earlier image: ask every server at once which still has it.
    const has = await Promise.all(deployment.targets.map((t) => onServer(t.serverId, "image check", () => hasImage(deps, t.serverId, service, tag))));
    holders = deployment.targets.filter((_, i) => has[i]).map((t) => t.serverId);
    if (holders.length === 0) throw new Error(`No target server still has ${tag}; it may have been cleaned up`);
    if (holders.length === deployment.targets.length) return undefined;
    await ctx.emit({ step: "image", message: `Reusing image ${tag}`, serverId: holders[0] });
  } else if (deployment.sourceType === "IMAGE") {
    const when = job.pullAlways ? "" : " (unless the server has it)";
    await ctx.emit({ step: "image", message: `Pulling ${deployment.sourceRef}${when}`, serverId: first.serverId });
    const pull = { image: deployment.sourceRef, tag, service, deployment: deployment.id, policy: job.pullAlways ? ("always" as const) : ("missing" as const) };
    await onServer(first.serverId, "image pull", () => deps.servers.pullImage(first.serverId, pull, forwardLogs(ctx, first.serverId)));
    holders = [first.serverId];
  } else {
    const context = await openBuildContext(deps, deployment, job.contextDescription, job.contextDockerfile);
    dockerfile = context.dockerfile;
    try {
      await ctx.emit({ step: "build", message: `Building ${tag} (${context.description})`, serverId: first.serverId });
      await onServer(first.serverId, "build", () => deps.servers.buildImage(first.serverId, context.stream, { tag, service, deployment: deployment.id }, forwardLogs(ctx, first.serverId)));
    } finally {
      await context.dispose();
    }
    holders = [first.serverId];
  }

  const holder = holders[0]!;
  const others = deployment.targets.filter((t) => !holders.includes(t.serverId));
  // Every copy runs to its end; then each server that failed is named.
  const failures = (
    await mapBounded(others, RELEASE_CONCURRENCY, async (target) => {
      try {
        ctx.signal.throwIfAborted();
        if (deployment.restoredId === null && (await onServer(target.serverId, "image check", () => hasImage(deps, target.serverId, service, tag)))) return null;
        await ctx.emit({ step: "image", message: `Copying ${tag}`, serverId: target.serverId });
        await deps.servers.copyImage(image, holder, target.serverId).catch(async (error: unknown) => {
          // The sender lost is the holder's failure, anything else the receiver's.
          const lostSender = error instanceof ServerUnreachableError && error.serverId === holder;
          throw await stepFailure(deps, ctx, byId.get(lostSender ? holder : target.serverId)!, lostSender ? "image copy (sending)" : "image copy", error, target.serverId);
        });
        return null;
      } catch (error) {
        return error as Error;
      }
    })
  ).filter((f): f is Error => f !== null);
  ctx.signal.throwIfAborted();
  if (failures.length > 0) throw new Error(failures.map((f) => f.message).join("; "));
  return dockerfile;
}

/**
 * A server's failure at an image step, named; a lost server is marked unreachable, and its target
 * fails (its release never started, so it still runs what it ran).
 */
async function stepFailure(
  deps: Deps,
  ctx: OperationContext,
  server: Pick<Server, "id" | "name">,
  step: string,
  error: unknown,
  eventServerId = server.id,
): Promise<ServerStepError> {
  const lost = error instanceof ServerUnreachableError;
  const failure = new ServerStepError(server, step, lost ? `lost contact with the server (${(error as Error).message})` : (error as Error).message);
  if (lost) await markServerUnreachable(deps, server.id);
  await ctx.emit({ step: "image", level: "ERROR", serverId: eventServerId, message: failure.message });
  return failure;
}

async function hasImage(deps: Deps, serverId: string, service: string, tag: string): Promise<boolean> {
  const images = await deps.servers.listImages(serverId, service);
  return images.some((image) => image.tags.includes(tag));
}

/** Says "routed" once every target switched and none failed. */
class Routing {
  private readonly switched = new Set<string>();
  private broken = false;

  constructor(
    private readonly ctx: OperationContext,
    private readonly deployment: LoadedDeployment,
  ) {}

  fail(): void {
    this.broken = true;
  }

  async switch(serverId: string): Promise<void> {
    this.switched.add(serverId);
    if (this.broken || this.switched.size !== this.deployment.targets.length) return;
    await this.ctx.fenced((tx) => tx.deployment.update({ where: { id: this.deployment.id }, data: { routedAt: new Date() } }));
    await this.ctx.emit({ step: "routed", message: `Every server routes traffic to ${this.deployment.imageTag}`, progress: 1 });
  }
}

export interface ReleaseOutcome {
  target: TargetWithServer;
  /** Where the release ended: live (switched, stopped), failed, or unknown (contact lost). */
  state: ReleaseState;
  containerId: string | null;
  error: string | null;
  /** The step it failed at, in words. */
  step: string;
}

/** The step a release was at in a state, in words (for failures). */
function stepAt(state: ReleaseState, error: string | null): string {
  if (error?.startsWith("nginx")) return "switch";
  switch (state) {
    case "pending":
      return "start";
    case "starting":
    case "unhealthy":
      return "health check";
    case "healthy":
      return "switch";
    default:
      return "drain";
  }
}

/** A server the release never reached (cancelled first): it still runs what it ran. */
async function notStarted(ctx: OperationContext, deploymentId: string, target: TargetWithServer): Promise<ReleaseOutcome> {
  await ctx.fenced((tx) => moveTarget(tx, deploymentId, target.serverId, "failed", { error: "cancelled before it started" }));
  return { target, state: "failed", containerId: null, error: "cancelled before it started", step: "start" };
}

/** Releases on one server, writing its target's state at every transition the agent reports. */
async function releaseOn(
  deps: Deps,
  ctx: OperationContext,
  deployment: LoadedDeployment,
  target: TargetWithServer,
  request: ReleaseRequestInput,
  routing: Routing,
  explain: (error: string | null) => string | null = (error) => error,
): Promise<ReleaseOutcome> {
  const serverId = target.serverId;
  // Moved by the stream's lines (in onLine), read after it ends.
  let last = "pending" as ReleaseState;
  let before = "pending" as ReleaseState;
  const forward = forwardLines(ctx, serverId);
  const onLine = async (line: AgentStreamLine): Promise<void> => {
    if (line.type !== "state") return forward(line);
    before = last;
    last = line.state;
    await ctx.fenced((tx) => moveTarget(tx, deployment.id, serverId, line.state, line.state === "failed" ? { error: line.message } : {}));
    await forward(line);
    if (line.state === "failed") routing.fail();
    if (line.state === "switched") await routing.switch(serverId);
  };

  try {
    const answer = await deps.servers.release(serverId, request, onLine);
    const error = explain(answer.error);
    await ctx.fenced((tx) => moveTarget(tx, deployment.id, serverId, answer.state, { containerId: answer.containerId, error }));
    return { target, state: answer.state, containerId: answer.containerId, error, step: stepAt(before, answer.error) };
  } catch (error) {
    // The agent had reported the end already; only its result line was lost.
    if (last === "stopped" || last === "failed") {
      return { target, state: last, containerId: null, error: last === "failed" ? (error as Error).message : null, step: stepAt(before, null) };
    }
    routing.fail();
    const lost = error instanceof ServerUnreachableError;
    const step = stepAt(last, null);
    const reason = lost ? `lost contact during the ${step} (${(error as Error).message})` : (error as Error).message;
    // Lost, or an answer outside the protocol: what the server runs is not known.
    await ctx.fenced(async (tx) => {
      await moveTarget(tx, deployment.id, serverId, "unknown", { error: reason });
      await tx.serviceServer.updateMany({ where: { serviceId: deployment.serviceId, serverId }, data: { currentDeploymentId: null, containerId: null } });
    });
    if (lost) await markServerUnreachable(deps, serverId);
    await ctx.emit({
      step: "release",
      level: "ERROR",
      releaseState: "UNKNOWN",
      progress: RELEASE_PROGRESS.unknown,
      serverId,
      message: `${target.server.name}: ${reason}; what it runs is unknown until it answers again, then Slipway brings it in line`,
    });
    return { target, state: "unknown", containerId: null, error: reason, step };
  }
}

/** Returns the servers this deployment switched to the release each ran before. */
export async function putBack(deps: Deps, ctx: OperationContext, deployment: LoadedDeployment, outcomes: readonly Pick<ReleaseOutcome, "target">[]): Promise<void> {
  const names = { project: deployment.service.project, service: deployment.service };
  await mapBounded(outcomes, RELEASE_CONCURRENCY, async ({ target }) => {
    const serverId = target.serverId;
    if (!target.previousDeploymentId) {
      await ctx.emit({ step: "revert", level: "WARN", serverId, message: "No earlier release on this server to return to" });
      return;
    }
    const previous = await deps.db.deployment.findUniqueOrThrow({ where: { id: target.previousDeploymentId } });
    await ctx.emit({ step: "revert", level: "WARN", serverId, message: `Putting back ${previous.imageTag}: another server failed` });
    const forward = async (line: AgentStreamLine) => {
      if (line.type === "state") await ctx.emit({ step: "revert", message: line.message, serverId });
    };
    try {
      const result = await deps.servers.release(serverId, releaseRequestFor(deps, previous, names, await storedReleaseTls(deps, previous)), forward);
      if (!isLive(result.state)) throw new Error(result.error ?? "not switched");
      await ctx.fenced(async (tx) => {
        await moveTarget(tx, deployment.id, serverId, "reverted", { error: "put back: another server failed" });
        await reportRunning(tx, deployment.serviceId, serverId, previous.id, result.containerId);
      });
      await ctx.emit({ step: "revert", message: `Put back ${previous.imageTag}`, progress: 1, serverId, releaseState: "REVERTED" });
    } catch (error) {
      const lost = error instanceof ServerUnreachableError;
      if (lost) await markServerUnreachable(deps, serverId);
      const reason = `put-back failed: ${(error as Error).message}`;
      await ctx.fenced((tx) => tx.deploymentTarget.updateMany({ where: { deploymentId: deployment.id, serverId }, data: { error: reason } }));
      await ctx.emit({ step: "revert", level: "ERROR", serverId, message: `${target.server.name}: ${reason}${lost ? "; Slipway brings it in line when it answers again" : ""}` });
    }
  });
}

/** Every target runs the deployment (as their agents reported it). */
export async function recordRunning(tx: Prisma.TransactionClient, deployment: LoadedDeployment, containerIds: ReadonlyMap<string, string | null> = new Map()): Promise<void> {
  for (const target of deployment.targets) await reportRunning(tx, deployment.serviceId, target.serverId, deployment.id, containerIds.get(target.serverId) ?? null);
}

/** What a server runs for a service, as its agent just reported it. */
export async function reportRunning(
  db: Pick<Prisma.TransactionClient, "serviceServer">,
  serviceId: string,
  serverId: string,
  deploymentId: string,
  containerId: string | null,
): Promise<void> {
  const data = { currentDeploymentId: deploymentId, containerId, reportedAt: new Date() };
  await db.serviceServer.upsert({ where: { serviceId_serverId: { serviceId, serverId } }, create: { serviceId, serverId, ...data }, update: data });
}

/** Build and pull output line by line, as the log of the server it came from. */
function forwardLogs(ctx: OperationContext, serverId: string) {
  return async (line: AgentStreamLine): Promise<void> => {
    if (line.type === "log") await ctx.emit({ step: line.step, level: "DEBUG", message: line.line, serverId });
  };
}

/** A release's stream as events of the server it runs on: its states as the release step, its log lines. */
export function forwardLines(ctx: OperationContext, serverId: string) {
  const logs = forwardLogs(ctx, serverId);
  return async (line: AgentStreamLine): Promise<void> => {
    if (line.type !== "state") return logs(line);
    const level = line.state === "failed" ? "ERROR" : line.state === "unhealthy" ? "WARN" : "INFO";
    await ctx.emit({ step: "release", level, message: line.message, progress: RELEASE_PROGRESS[line.state], serverId, releaseState: toDbState(line.state) });
  };
}

/**
 * This release's secrets, and those of the releases a failure may put back, kept out of every
 * event; answers the same redaction for what is stored on the deployment (its error).
 */
export async function redactSecrets(deps: Deps, ctx: OperationContext, deployment: LoadedDeployment): Promise<(text: string) => string> {
  const previousIds = deployment.targets.map((t) => t.previousDeploymentId).filter((id): id is string => id !== null);
  const previous = await deps.db.deployment.findMany({ where: { id: { in: previousIds } }, select: { envCiphertext: true } });
  const secrets = [deployment, ...previous].flatMap((release) => secretValuesOf(deps, release)).filter((s) => s.length > 0);
  for (const secret of secrets) ctx.redact(secret);
  return (text) => secrets.reduce((clean, secret) => clean.split(secret).join("[redacted]"), text);
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
