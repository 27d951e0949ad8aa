// A server joins a service: the service's current release (what its servers run) is copied from a
// server that has the image — never rebuilt —, started behind its health check and put behind
// nginx by the agent, exactly as a deploy does; only then is the server recorded as running the
// service (deploys target it from then on). A deploy that runs meanwhile is waited for, and one
// that started after the copy began gets its release onto the server too, so a server added during
// a deploy ends on the new release.
import { setTimeout as sleep } from "node:timers/promises";
import type { Deployment } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { storedReleaseTls } from "../domains/prepare-release-tls.js";
import { agentServiceName, releaseRequestFor, secretValuesOf } from "../deployments/release-config.js";
import { forwardLines, reportRunning } from "../deployments/run-deployment.js";
import type { OperationContext } from "../ports.js";

const RUNNING_DEPLOYMENT = ["QUEUED", "BUILDING", "DEPLOYING"] as const;
const POLL_MS = 1_000;
/** A deploy may take a while (a build); a scale-out waits this long for one before it gives up. */
const DEPLOY_WAIT_MS = 30 * 60_000;
const MAX_ROUNDS = 5;

export async function placeCurrentRelease(deps: Deps, ctx: OperationContext, serviceId: string, serverId: string): Promise<Deployment> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    await waitForDeploys(deps, ctx, serviceId, serverId);
    const placingSince = new Date();
    const release = await releaseOnServer(deps, ctx, serviceId, serverId);
    // A deploy that began while we copied did not know this server: give it that release as well.
    const missed = await deps.db.deployment.count({
      where: { serviceId, createdAt: { gte: placingSince }, targets: { none: { serverId } } },
    });
    if (missed === 0) return release;
    await ctx.emit({ step: "release", serverId, message: "A deploy started meanwhile: this server gets its release too once it is done" });
  }
  throw new Error(`Deploys of the service kept starting while this server joined (${MAX_ROUNDS} rounds)`);
}

async function waitForDeploys(deps: Deps, ctx: OperationContext, serviceId: string, serverId: string): Promise<void> {
  const deadline = Date.now() + DEPLOY_WAIT_MS;
  let told = false;
  while ((await deps.db.deployment.count({ where: { serviceId, status: { in: [...RUNNING_DEPLOYMENT] } } })) > 0) {
    if (!told) await ctx.emit({ step: "release", serverId, message: "A deploy of the service is running: waiting for it, then this server gets the release it leaves" });
    told = true;
    if (Date.now() > deadline) throw new Error("A deploy of the service ran longer than a scale-out waits (30 min)");
    ctx.signal.throwIfAborted();
    await sleep(POLL_MS);
  }
}

async function releaseOnServer(deps: Deps, ctx: OperationContext, serviceId: string, serverId: string): Promise<Deployment> {
  const service = await deps.db.service.findUniqueOrThrow({ where: { id: serviceId }, include: { project: true } });
  const running = await deps.db.serviceServer.findMany({
    where: { serviceId, serverId: { not: serverId }, currentDeploymentId: { not: null }, server: { status: "ACTIVE" } },
    include: { currentDeployment: true },
  });
  // After a successful deploy every server runs the same release; otherwise the newest one wins.
  const current = running.map((r) => r.currentDeployment!).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  if (!current) throw new Error("No server of the service runs a release to copy");
  const holder = running.find((r) => r.currentDeploymentId === current.id)!.serverId;
  const name = agentServiceName(service);
  for (const secret of secretValuesOf(deps, current)) ctx.redact(secret);

  const images = await deps.servers.listImages(serverId, name);
  if (!images.some((image) => image.tags.includes(current.imageTag))) {
    await ctx.emit({ step: "image", serverId, message: `Copying ${current.imageTag} from a server that runs it (no rebuild)` });
    await deps.servers.copyImage({ tag: current.imageTag, service: name, deployment: current.id }, holder, serverId);
  }
  const tls = await storedReleaseTls(deps, current);
  await ctx.emit({ step: "release", serverId, message: `Starting ${current.imageTag} behind its health check` });
  const result = await deps.servers.release(serverId, releaseRequestFor(deps, current, { project: service.project, service }, tls), forwardLines(ctx, serverId));
  if (result.state !== "switched") throw new Error(`The release did not start: ${result.error ?? result.state}`);
  await ctx.fenced((tx) => reportRunning(tx, serviceId, serverId, current.id, result.containerId));
  await ctx.emit({ step: "release", serverId, progress: 1, message: `Serving ${current.imageTag}; deploys of the service now include this server` });
  return current;
}
