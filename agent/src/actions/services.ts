// What runs for a service now, and its logs.
import { serviceFromSiteFileName } from "../commands/nginx.js";
import { LABELS, type ServiceStatus } from "../protocol/index.js";
import { activeContainer } from "./containers.js";
import type { AgentDeps, Emit } from "./deps.js";

export async function serviceStatus(deps: AgentDeps, service: string): Promise<ServiceStatus> {
  const active = await activeContainer(deps, service);
  if (!active) return { service, containerId: null, image: null, deployment: null, running: false, hostPort: null };
  return {
    service,
    containerId: active.container.id,
    image: active.container.image,
    // The release that switched nginx to it: a rollback runs an older deployment's container.
    deployment: active.deployment ?? active.container.labels[LABELS.deployment] ?? null,
    running: active.container.state === "running",
    hostPort: active.hostPort,
  };
}

/** Every service that has a site on this server, with what it runs. */
export async function listServices(deps: AgentDeps): Promise<{ services: ServiceStatus[] }> {
  const names = (await deps.exec.listDir(`${deps.nginxDir}/conf.d`)).flatMap((file) => serviceFromSiteFileName(file) ?? []).sort();
  return { services: await Promise.all(names.map((name) => serviceStatus(deps, name))) };
}

export async function serviceLogs(deps: AgentDeps, service: string, tail: number, emit: Emit): Promise<{ lines: number }> {
  const active = await activeContainer(deps, service);
  if (!active) return { lines: 0 };
  const lines = await deps.engine.containerLogs(active.container.id, tail);
  for (const line of lines) emit({ type: "log", step: "logs", line });
  return { lines: lines.length };
}
