// Shared by the metrics and autoscaling tests: a clock the test moves forward (between
// operations only: leases use it too), and rows that make servers and services exist without
// provisioning them.
import { randomUUID } from "node:crypto";
import type { Deps } from "../src/domain/deps.js";
import { AGENT_TOKEN_PURPOSE, newAgentToken } from "../src/domain/servers/server-connections.js";
import type { Server, ServerKind } from "../src/generated/prisma/client.js";

/** Real time plus an offset the test adds to. */
export class SteppedClock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  /** Forward to just after the start of the next slot of `intervalMs`: the next steps stay in that slot. */
  nextSlot(intervalMs: number): Date {
    const now = this.now().getTime();
    const target = (Math.floor(now / intervalMs) + 1) * intervalMs + 200;
    this.offsetMs += target - now;
    return this.now();
  }
}

/** A server row as if provisioned (or adopted) and answering: ACTIVE with an agent token. */
export async function serverRow(deps: Deps, name: string, kind: ServerKind = "DROPLET", extra: Partial<Server> = {}): Promise<Server> {
  return deps.db.server.create({
    data: {
      name,
      kind,
      managed: kind === "DROPLET",
      status: "ACTIVE",
      publicIpv4: `10.99.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`,
      providerId: kind === "DROPLET" ? String(Math.floor(Math.random() * 1e9)) : null,
      agentTokenCiphertext: deps.secrets.encrypt(newAgentToken(), AGENT_TOKEN_PURPOSE),
      ...extra,
    },
  });
}

/** A project with one service, straight in the database. */
export async function serviceRow(deps: Deps, project: string, service: string) {
  const p = await deps.db.project.create({ data: { name: project } });
  return deps.db.service.create({ data: { projectId: p.id, name: service, imageBase: `slipway/${project}-${service}`, agentName: `${project}-${service}`, port: 8080 }, include: { project: true } });
}

/** A succeeded deployment of the service that the given servers run now. */
export async function runningRelease(deps: Deps, serviceId: string, servers: Server[], domains: string[] = []) {
  const id = randomUUID();
  const deployment = await deps.db.deployment.create({
    data: {
      id,
      serviceId,
      status: "SUCCEEDED",
      sourceType: "IMAGE",
      sourceRef: "busybox",
      imageTag: `slipway/x:deploy_${id.slice(0, 8)}`,
      port: 8080,
      healthCheckPath: "/",
      healthCheckTimeoutSeconds: 5,
      domains,
      envCiphertext: deps.secrets.encrypt(JSON.stringify({ env: {}, secretKeys: [] }), "deployment-env"),
      targets: { create: servers.map((s) => ({ serverId: s.id, state: "SWITCHED" as const })) },
    },
  });
  for (const server of servers) {
    await deps.db.serviceServer.upsert({
      where: { serviceId_serverId: { serviceId, serverId: server.id } },
      create: { serviceId, serverId: server.id, currentDeploymentId: deployment.id, addedAt: new Date(Date.now() - 3_600_000) },
      update: { currentDeploymentId: deployment.id },
    });
  }
  return deployment;
}
