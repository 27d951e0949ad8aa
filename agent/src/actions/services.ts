// What runs for a service now, and its logs.
import { LABELS, type ServiceStatus } from "../protocol/index.js";
import { activeContainer, lastLogLines } from "./containers.js";
import type { AgentDeps, Emit } from "./deps.js";

export async function serviceStatus(deps: AgentDeps, service: string): Promise<ServiceStatus> {
  const active = await activeContainer(deps, service);
  if (!active) return { service, containerId: null, image: null, deployment: null, running: false, hostPort: null };
  return {
    service,
    containerId: active.info.Id,
    image: active.info.Image,
    deployment: active.info.Labels[LABELS.deployment] ?? null,
    running: active.info.State === "running",
    hostPort: active.hostPort,
  };
}

export async function serviceLogs(deps: AgentDeps, service: string, tail: number, emit: Emit): Promise<{ lines: number }> {
  const active = await activeContainer(deps, service);
  if (!active) return { lines: 0 };
  const lines = await lastLogLines(deps.docker, active.info.Id, tail);
  for (const line of lines) emit({ type: "log", step: "logs", line });
  return { lines: lines.length };
}
