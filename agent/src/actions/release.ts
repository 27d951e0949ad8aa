// A release, the kamal-proxy way: the new container starts off to the side, traffic moves to it
// only once it is healthy and nginx accepts the new config, and only then the old one drains.
// Any failure before the switch removes the new container and leaves the old one and nginx as
// they were. Rollback is the same call with an older image.
//
// States: starting -> healthy -> switched -> draining -> stopped   (success)
//         starting -> unhealthy -> failed | healthy -> failed       (nothing changed)
import { setTimeout as sleep } from "node:timers/promises";
import { containerCreateOptions, containerName, publishedHostPort } from "../commands/docker.js";
import { dockerMessage, isDockerNotFound } from "../errors.js";
import type { ReleaseRequest, ReleaseResult } from "../protocol/index.js";
import { envRedactor } from "../redact.js";
import { activeContainer, lastLogLines, removeContainer, serviceContainers, stopAndRemove } from "./containers.js";
import type { AgentDeps, Emit } from "./deps.js";
import { exitReason, waitHealthy } from "./health-check.js";
import { switchSite } from "./switch-site.js";

type ReleaseState = ReleaseResult["state"];

const PROGRESS: Record<ReleaseState, number> = {
  starting: 0.1,
  healthy: 0.5,
  unhealthy: 0.9,
  switched: 0.7,
  draining: 0.8,
  stopped: 1,
  failed: 1,
};

const FAILURE_LOG_LINES = 20;

export async function release(deps: AgentDeps, req: ReleaseRequest, emit: Emit): Promise<ReleaseResult> {
  return deps.locks.run(`release:${req.service}`, () => runRelease(deps, req, emit));
}

async function runRelease(deps: AgentDeps, req: ReleaseRequest, emit: Emit): Promise<ReleaseResult> {
  const { docker } = deps;
  const redact = envRedactor(req.env);
  const name = containerName(req.service, req.deployment);
  const to = (state: ReleaseState, message: string) =>
    emit({ type: "progress", step: state, message: redact(message), progress: PROGRESS[state] });

  const previous = await activeContainer(deps, req.service);
  const previousId = previous?.info.Id ?? null;
  const fail = (error: string, containerId: string | null = null): ReleaseResult => {
    to("failed", `${error}${previousId ? "; the previous container keeps serving" : ""}`);
    return { outcome: "failed", state: "failed", containerId, previousContainerId: previousId, error: redact(error) };
  };

  try {
    await docker.getImage(req.image).inspect();
  } catch (e) {
    if (isDockerNotFound(e)) return fail(`image ${req.image} is not on this server (build, load or pull it first)`);
    return fail(`docker: ${dockerMessage(e)}`);
  }

  // The same deployment released again while it serves: nothing to move.
  if (previous && previous.info.Names.includes(`/${name}`) && previous.info.State === "running") {
    to("switched", `${name} already serves ${req.service} on 127.0.0.1:${previous.hostPort}`);
    return { outcome: "switched", state: "switched", containerId: previous.info.Id, previousContainerId: null, error: null };
  }

  let containerId: string | null = null;
  try {
    // Left over from an interrupted attempt at this same deployment; it never served.
    await removeContainer(docker, name);
    to("starting", `starting ${name} from ${req.image}`);
    const container = await docker.createContainer(containerCreateOptions(req));
    containerId = container.id;
    await container.start();
    const unhealthy = async (reason: string) => {
      to("unhealthy", reason);
      const logs = await lastLogLines(docker, container.id, FAILURE_LOG_LINES).catch(() => []);
      await removeContainer(docker, container.id);
      const tail = logs.length > 0 ? `; last log lines:\n${logs.join("\n")}` : "";
      return fail(`${name} never became healthy: ${reason}${tail}`);
    };
    const started = await container.inspect();
    const hostPort = publishedHostPort(started.NetworkSettings.Ports, req.port);
    if (hostPort === null) {
      // Docker publishes no port for a container that has already exited (or waits to restart).
      const exited = exitReason(started);
      if (exited) return await unhealthy(exited);
      throw new Error(`docker published no host port for ${req.port}/tcp`);
    }

    const health = await waitHealthy(docker, container.id, { hostPort, path: req.healthCheck.path }, req.healthCheck.timeoutSeconds);
    if (!health.healthy) return await unhealthy(health.reason);
    to("healthy", `${name} answered GET ${req.healthCheck.path} on 127.0.0.1:${hostPort} after ${health.afterMs} ms`);

    const switched = await switchSite(deps, {
      service: req.service,
      deployment: req.deployment,
      domains: req.domains,
      hostPort,
      tls: req.tls ?? null,
    });
    if (!switched.ok) {
      await removeContainer(docker, container.id);
      return fail(switched.error);
    }
    to("switched", `nginx routes ${req.domains.join(", ") || req.service} to ${name} (127.0.0.1:${hostPort})`);
  } catch (e) {
    if (containerId) await removeContainer(docker, containerId).catch(() => {});
    return fail(`docker: ${dockerMessage(e)}`);
  }

  // Everything else of this service goes: the previous container and any leftovers.
  const others = (await serviceContainers(docker, req.service)).filter((c) => c.Id !== containerId);
  if (others.length === 0) {
    return { outcome: "switched", state: "switched", containerId, previousContainerId: previousId, error: null };
  }
  const names = others.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, "")).join(", ");
  // nginx's graceful reload lets old workers finish in-flight requests to the old container.
  to("draining", `letting in-flight requests to ${names} finish (${req.drainSeconds}s)`);
  await sleep(req.drainSeconds * 1000);
  const problems: string[] = [];
  for (const c of others) {
    await stopAndRemove(docker, c.Id).catch((e: unknown) => problems.push(`${c.Id.slice(0, 12)}: ${dockerMessage(e)}`));
  }
  to("stopped", problems.length ? `could not remove ${problems.join("; ")}` : `stopped and removed ${names}`);
  return {
    outcome: "switched",
    state: "stopped",
    containerId,
    previousContainerId: previousId,
    error: problems.length ? redact(`switched, but old containers remain: ${problems.join("; ")}`) : null,
  };
}
