// Finding and removing a service's containers.
import { slipwayLabelFilter, STOP_TIMEOUT_SECONDS } from "../commands/docker.js";
import { parseSiteDeployment, parseSiteHostPort, sitePath } from "../commands/nginx.js";
import type { ContainerEngine, ContainerSummary } from "../engine/types.js";
import type { AgentDeps } from "./deps.js";

export async function serviceContainers(engine: ContainerEngine, service: string): Promise<ContainerSummary[]> {
  return engine.listContainers(slipwayLabelFilter(service));
}

/** The container nginx routes the service to now: the one publishing the site file's port. */
export async function activeContainer(
  deps: Pick<AgentDeps, "engine" | "exec" | "nginxDir">,
  service: string,
): Promise<{ container: ContainerSummary; hostPort: number; deployment: string | null } | null> {
  const site = await deps.exec.readFile(sitePath(deps.nginxDir, service));
  const hostPort = site === null ? null : parseSiteHostPort(site);
  if (site === null || hostPort === null) return null;
  const container = (await serviceContainers(deps.engine, service)).find((c) => c.hostPorts.includes(hostPort));
  return container ? { container, hostPort, deployment: parseSiteDeployment(site) } : null;
}

/** SIGTERM, then SIGKILL after STOP_TIMEOUT_SECONDS; then removed. A paused one is resumed first, so its app stops gracefully. */
export async function stopAndRemove(engine: ContainerEngine, id: string): Promise<void> {
  if ((await engine.inspectContainer(id))?.paused) await engine.unpauseContainer(id);
  await engine.stopContainer(id, STOP_TIMEOUT_SECONDS);
  await engine.removeContainer(id);
}
