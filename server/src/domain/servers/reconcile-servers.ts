// Lost servers, seen again. Every few seconds each UNREACHABLE server's agent is asked what it
// runs. One that answers is ACTIVE again; what it reports becomes the record (what the API says
// a server runs comes from its agent, not from what was intended); the targets lost with it get
// the state the report implies; and a service it runs on another release than the fleet's is
// brought in line by a reconcile operation, with events like any other.
import type { ServiceStatus } from "@slipway/agent/protocol";
import type { Project, Server, Service } from "../../generated/prisma/client.js";
import { agentServiceName } from "../deployments/release-config.js";
import { moveTarget } from "../deployments/target-states.js";
import type { Deps } from "../deps.js";
import { startOperation } from "../operations/start-operation.js";
import { ServerUnreachableError } from "../ports.js";
import { reconcileServerOperation, type ReconcileInput } from "./reconcile-server-operation.js";
import { markServerReachable } from "./server-reachability.js";

/** How often lost servers are asked again. */
export const RECHECK_INTERVAL_MS = 3_000;

/** One round: every UNREACHABLE server asked once, all at once. */
export async function checkUnreachableServers(deps: Deps): Promise<void> {
  const lost = await deps.db.server.findMany({ where: { status: "UNREACHABLE" } });
  await Promise.all(
    lost.map((server) =>
      checkServer(deps, server).catch((error: unknown) => deps.log.warn({ err: error, server: server.name }, "checking a lost server failed")),
    ),
  );
}

async function checkServer(deps: Deps, server: Server): Promise<void> {
  let reports: ServiceStatus[];
  try {
    reports = await deps.servers.listServices(server.id);
  } catch (error) {
    if (error instanceof ServerUnreachableError) return;
    throw error;
  }
  // While a deploy of one of its services runs, it stays marked lost (and out of that deploy); the
  // next round brings it in line.
  if (await reconcileServer(deps, server, reports)) {
    await markServerReachable(deps, server.id);
    deps.log.info({ server: server.name }, "a lost server answers again");
  }
}

/**
 * Records what the server reports it runs, settles its lost targets, and starts what brings it in
 * line. Answers false when a service could not be brought in line yet (its deploy is under way).
 */
export async function reconcileServer(deps: Deps, server: Pick<Server, "id" | "name">, reports: readonly ServiceStatus[]): Promise<boolean> {
  let done = true;
  const rows = await deps.db.serviceServer.findMany({ where: { serverId: server.id }, include: { service: { include: { project: true } } } });
  for (const row of rows) {
    const report = reports.find((r) => r.service === agentServiceName(row.service));
    const known = report?.deployment ? await deps.db.deployment.findUnique({ where: { id: report.deployment }, select: { id: true } }) : null;
    const reported = known?.id ?? null;
    await deps.db.serviceServer.update({
      where: { serviceId_serverId: { serviceId: row.serviceId, serverId: server.id } },
      data: { currentDeploymentId: reported, containerId: report?.containerId ?? null, reportedAt: new Date() },
    });
    const revertTargets = await settleLostTargets(deps, server.id, row.serviceId, reported);
    const fleet = await fleetRelease(deps, row.serviceId);
    if (!fleet || fleet.id === reported) {
      for (const deploymentId of revertTargets) await moveTarget(deps.db, deploymentId, server.id, "reverted", { error: "put back while it was lost" });
      continue;
    }
    done = (await startReconcile(deps, server, row.service, { serverId: server.id, serviceId: row.serviceId, deploymentId: fleet.id, revertTargets }, fleet.imageTag)) && done;
  }
  return done;
}

/**
 * Targets whose outcome was unknown (contact lost mid-release) now get one: the release went live
 * if the server runs it, otherwise it never switched. Answers the ones that went live.
 */
async function settleLostTargets(deps: Deps, serverId: string, serviceId: string, reported: string | null): Promise<string[]> {
  const lost = await deps.db.deploymentTarget.findMany({ where: { serverId, state: "UNKNOWN", deployment: { serviceId } }, select: { deploymentId: true, error: true } });
  const live: string[] = [];
  for (const target of lost) {
    if (target.deploymentId === reported) {
      await moveTarget(deps.db, target.deploymentId, serverId, "stopped", { error: `${target.error}; it switched while lost` });
      live.push(target.deploymentId);
    } else {
      await moveTarget(deps.db, target.deploymentId, serverId, "failed", { error: `${target.error}; it never switched` });
    }
  }
  return live;
}

/** The release the fleet runs: the service's latest deployment that succeeded (a rollback is one too). */
export async function fleetRelease(deps: Deps, serviceId: string) {
  return deps.db.deployment.findFirst({ where: { serviceId, status: "SUCCEEDED" }, orderBy: [{ finishedAt: "desc" }, { createdAt: "desc" }] });
}

/** Starts the reconcile operation; false when the service is busy (a deploy or another reconcile). */
async function startReconcile(deps: Deps, server: Pick<Server, "id" | "name">, service: Service & { project: Project }, input: ReconcileInput, imageTag: string): Promise<boolean> {
  const busy = await deps.db.deployment.count({ where: { serviceId: service.id, status: { in: ["QUEUED", "BUILDING", "DEPLOYING"] } } });
  const pending = await deps.db.operation.count({ where: { kind: "RECONCILE", serviceId: service.id, status: { in: ["QUEUED", "RUNNING"] } } });
  if (busy > 0 || pending > 0) return false;
  await startOperation(deps, reconcileServerOperation, input, {
    title: `Bring ${server.name} back in line: ${service.project.name}/${service.name} on ${imageTag}`,
    serviceId: service.id,
  });
  return true;
}
