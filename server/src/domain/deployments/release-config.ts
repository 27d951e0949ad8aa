import type { ReleaseRequestInput } from "@slipway/agent/protocol";
import type { Deployment, Project, Service } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import type { EnvSnapshot } from "../services/service-config.js";

const ENV_PURPOSE = "deployment-env";

/**
 * The name a new service gets on its servers (containers, nginx files, image labels): project and
 * service joined by "--", which neither name may contain, so no two services ever share one.
 * Stored on the service (Service.agentName): services made before keep the name they had.
 */
export function newAgentServiceName(project: Pick<Project, "name">, service: Pick<Service, "name">): string {
  return `${project.name}--${service.name}`;
}

/** The name a service has on its servers. */
export function agentServiceName(service: Pick<Service, "agentName">): string {
  return service.agentName;
}

/** Every service answers on this host name too, so it can be reached before it has domains. */
export function defaultHostname(project: Pick<Project, "name">, service: Pick<Service, "name">): string {
  return `${service.name}.${project.name}.slipway.internal`;
}

export function imageTagFor(imageBase: string, deploymentId: string): string {
  return `${imageBase}:deploy_${deploymentId.slice(0, 8)}`;
}

export function sealEnv(deps: Deps, snapshot: EnvSnapshot): string {
  return deps.secrets.encrypt(JSON.stringify(snapshot), ENV_PURPOSE);
}

export function openEnv(deps: Deps, deployment: Pick<Deployment, "envCiphertext">): EnvSnapshot {
  return JSON.parse(deps.secrets.decrypt(deployment.envCiphertext, ENV_PURPOSE)) as EnvSnapshot;
}

/** The secret values a deployment's release carries, which no event may show. */
export function secretValuesOf(deps: Deps, deployment: Pick<Deployment, "envCiphertext">): string[] {
  const { env, secretKeys } = openEnv(deps, deployment);
  return secretKeys.map((key) => env[key]).filter((value): value is string => value !== undefined);
}

/** What the agent needs to run a deployment: exactly the config snapshot it recorded, and its domains' certificate. */
export function releaseRequestFor(
  deps: Deps,
  deployment: Deployment,
  names: { project: Pick<Project, "name">; service: Pick<Service, "name" | "agentName"> },
  tls: ReleaseRequestInput["tls"] = null,
): ReleaseRequestInput {
  const domains = deployment.domains as string[];
  return {
    service: agentServiceName(names.service),
    deployment: deployment.id,
    image: deployment.imageTag,
    port: deployment.port,
    env: openEnv(deps, deployment).env,
    healthCheck: { path: deployment.healthCheckPath, timeoutSeconds: deployment.healthCheckTimeoutSeconds, intervalMs: deployment.healthCheckIntervalMs },
    domains: [defaultHostname(names.project, names.service), ...domains],
    tls,
    drainTimeoutSeconds: deployment.drainTimeoutSeconds,
    // A rollback may resume the container of the release it restores (kept paused as a standby).
    ...(deployment.restoredId ? { resumes: deployment.restoredId } : {}),
  };
}
