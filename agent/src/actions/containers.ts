// Finding and removing a service's containers.
import type Docker from "dockerode";
import type { ContainerInfo } from "dockerode";
import { labelFilters, STOP_TIMEOUT_SECONDS } from "../commands/docker.js";
import { parseSiteHostPort, sitePath } from "../commands/nginx.js";
import { isDockerNotFound } from "../errors.js";
import { demuxDockerLogs, textLines } from "../streams.js";
import type { AgentDeps } from "./deps.js";

export async function serviceContainers(docker: Docker, service: string): Promise<ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: labelFilters(service) });
}

/** The container nginx routes the service to now: the one publishing the site file's port. */
export async function activeContainer(
  deps: Pick<AgentDeps, "docker" | "exec" | "nginxDir">,
  service: string,
): Promise<{ info: ContainerInfo; hostPort: number } | null> {
  const site = await deps.exec.readFile(sitePath(deps.nginxDir, service));
  const hostPort = site === null ? null : parseSiteHostPort(site);
  if (hostPort === null) return null;
  const info = (await serviceContainers(deps.docker, service)).find((c) => c.Ports.some((p) => p.PublicPort === hostPort));
  return info ? { info, hostPort } : null;
}

export async function removeContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true, v: true });
  } catch (e) {
    if (!isDockerNotFound(e)) throw e;
  }
}

/** SIGTERM, then SIGKILL after STOP_TIMEOUT_SECONDS; then removed. */
export async function stopAndRemove(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).stop({ t: STOP_TIMEOUT_SECONDS });
  } catch (e) {
    // 304: already stopped.
    if (!isDockerNotFound(e) && (e as { statusCode?: number }).statusCode !== 304) throw e;
  }
  await removeContainer(docker, id);
}

export async function lastLogLines(docker: Docker, id: string, tail: number): Promise<string[]> {
  const buf = (await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, tail })) as unknown as Buffer;
  return textLines(demuxDockerLogs(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf))));
}
