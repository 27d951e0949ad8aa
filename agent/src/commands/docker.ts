// Pure builders for container engine calls: container create options, build specs, label
// filters. Plain data, tested by exact output.
import type { ContainerCreateOptions } from "dockerode";
import type { BuildSpec } from "../engine/types.js";
import { LABELS } from "../protocol/index.js";

export interface ContainerSpec {
  service: string;
  deployment: string;
  image: string;
  /** The app's port inside the container. */
  port: number;
  env: Readonly<Record<string, string>>;
}

/** `slipway-<service>-<first 8 of deployment>`. */
export function containerName(service: string, deployment: string): string {
  return `slipway-${service}-${deployment.slice(0, 8)}`;
}

export function slipwayLabels(service: string, deployment: string): Record<string, string> {
  return { [LABELS.managed]: "true", [LABELS.service]: service, [LABELS.deployment]: deployment };
}

/**
 * The new container of a release: env injected at run time, the app port published on loopback
 * only at a port Docker picks (read back by inspect), restarted unless stopped on purpose. Docker's
 * init runs as PID 1 so the app gets SIGTERM with its default action: an app that installs no
 * handler (`node server.js`, busybox httpd) stops at once instead of after the stop timeout.
 */
export function containerCreateOptions(spec: ContainerSpec): ContainerCreateOptions {
  const portKey = `${spec.port}/tcp`;
  return {
    name: containerName(spec.service, spec.deployment),
    Image: spec.image,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: slipwayLabels(spec.service, spec.deployment),
    ExposedPorts: { [portKey]: {} },
    HostConfig: {
      PortBindings: { [portKey]: [{ HostIp: "127.0.0.1", HostPort: "" }] },
      RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 },
      Init: true,
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
    },
  };
}

/** The host port Docker assigned to the app port, from `docker inspect`'s NetworkSettings.Ports. */
export function publishedHostPort(
  ports: Readonly<Record<string, ReadonlyArray<{ HostIp?: string; HostPort?: string }> | null | undefined>> | undefined,
  port: number,
): number | null {
  const bindings = ports?.[`${port}/tcp`] ?? [];
  const b = bindings.find((x) => x.HostIp === "127.0.0.1") ?? bindings[0];
  const n = Number(b?.HostPort);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** A build of a deployment's image: its tag and Slipway's labels. */
export function buildSpec(tag: string, service: string, deployment: string): BuildSpec {
  return { tag, labels: slipwayLabels(service, deployment) };
}

/** Labels every Slipway container (and built image) carries, optionally of one service. */
export function slipwayLabelFilter(service?: string): string[] {
  const label = [`${LABELS.managed}=true`];
  if (service !== undefined) label.push(`${LABELS.service}=${service}`);
  return label;
}

/** The same, as Docker Engine API list filters. */
export function labelFilters(service?: string): { label: string[] } {
  return { label: slipwayLabelFilter(service) };
}

export const STOP_TIMEOUT_SECONDS = 10;
