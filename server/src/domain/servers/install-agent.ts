import { createHash, randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_AGENT_PORT, type HealthResponse } from "@slipway/agent/protocol";
import type { Server } from "../../generated/prisma/client.js";
import type { SshConnection } from "../../integrations/ssh/connection.js";
import type { Deps } from "../deps.js";
import type { OperationContext } from "../ports.js";
import { buildAgentBootstrap, stagingDirFor, MIN_NODE_MAJOR, PREREQUISITE_EXIT, type BootstrapStep } from "./agent-bootstrap-plan.js";
import { agentBundlePath, expectedAgentVersion } from "./agent-release.js";
import { AGENT_TOKEN_PURPOSE, newAgentToken } from "./server-connections.js";

const HEALTH_DEADLINE_MS = 45_000;
const COMMAND_TIMEOUT_MS = 120_000;

/** Refused by the server or by a check: the message says what to fix. */
export class AgentInstallError extends Error {
  override name = "AgentInstallError";
}

/** Where the agent goes: a server row, or a droplet that is not a server (a snapshot's temporary one). */
export interface AgentHost {
  /** For events; null for a host that is not a recorded server. */
  serverId: string | null;
  sshUser: string;
  address: string;
  sshPort: number;
  agentPort: number;
  /** True when this connection pins the host key (nothing was pinned before). */
  firstContact: boolean;
  token: string;
  /** The host's pinned SSH connection, opened afresh. */
  connect(): Promise<SshConnection>;
  /** Called once the prerequisites passed, before the agent learns the token's hash. */
  tokenChosen(): Promise<void>;
  health(): Promise<HealthResponse>;
}

/**
 * Installs (or reinstalls) the agent on a server over SSH and waits until it answers through the
 * tunnel; then records the version it reports. Runs the bootstrap plan step by step, one event
 * per step; secrets (the token) never reach an event.
 */
export async function installAgent(deps: Deps, ctx: OperationContext, serverId: string): Promise<Server> {
  const connections = deps.connections;
  const server = await deps.db.server.findUniqueOrThrow({ where: { id: serverId } });
  // The token survives upgrades (its hash is in the agent's config); adoption makes the first one.
  const token = server.agentTokenCiphertext ? deps.secrets.decrypt(server.agentTokenCiphertext, AGENT_TOKEN_PURPOSE) : newAgentToken();
  const health = await installAgentOn(ctx, {
    serverId,
    sshUser: server.sshUser,
    address: server.publicIpv4 ?? "",
    sshPort: server.sshPort,
    agentPort: server.agentPort || DEFAULT_AGENT_PORT,
    firstContact: server.hostKeyFingerprint === null,
    token,
    connect: async () => {
      connections.forget(server.id);
      return connections.ssh(server);
    },
    tokenChosen: async () => {
      // The token is stored before the agent learns its hash, so an agent never runs with a token we lost.
      if (!server.agentTokenCiphertext) {
        await deps.db.server.update({ where: { id: server.id }, data: { agentTokenCiphertext: deps.secrets.encrypt(token, AGENT_TOKEN_PURPOSE) } });
      }
    },
    health: async () => deps.connections.agent(await deps.db.server.findUniqueOrThrow({ where: { id: server.id } })).health(),
  });
  return deps.db.server.update({
    where: { id: server.id },
    data: { agentVersion: health.version, lastSeenAt: new Date(), status: "ACTIVE" },
  });
}

/** The installation itself, on any host; resolves with the health of the agent it started. */
export async function installAgentOn(ctx: OperationContext, host: AgentHost): Promise<HealthResponse> {
  const emit = (step: string, message: string, progress?: number) => ctx.emit({ step, message, progress, serverId: host.serverId });
  const token = host.token;
  ctx.redact(token);
  const bundle = agentBundlePath();
  const version = expectedAgentVersion();

  await emit("connect", `Connecting to ${host.sshUser}@${host.address}:${host.sshPort}`, 0);
  const ssh = await host.connect();
  await emit(
    "host-key",
    host.firstContact ? `Pinned the host key ${ssh.hostKeyFingerprint}` : `The host key matches the pinned ${ssh.hostKeyFingerprint}`,
    0.1,
  );

  const plan = buildAgentBootstrap({
    bundleLocalPath: bundle,
    sshUser: host.sshUser,
    stagingDir: stagingDirFor(randomBytes(8).toString("hex")),
    config: {
      port: host.agentPort,
      tokenSha256: createHash("sha256").update(token).digest("hex"),
      dockerSocket: "/var/run/docker.sock",
      nginxDir: "/etc/nginx",
    },
  });

  const prerequisites = await ssh.exec(plan.prerequisites.argv, { timeoutMs: COMMAND_TIMEOUT_MS });
  if (prerequisites.code === PREREQUISITE_EXIT.missing) {
    const missing = prerequisites.stdout.replace(/^missing:/, "").trim().split(/\s+/).join(", ");
    throw new AgentInstallError(`The server lacks ${missing}: install docker, nginx and node ${MIN_NODE_MAJOR}+ first`);
  }
  if (prerequisites.code === PREREQUISITE_EXIT.oldNode) {
    throw new AgentInstallError(`The server's node is too old (${prerequisites.stdout.replace(/^node:/, "").trim()}); the agent needs node ${MIN_NODE_MAJOR} or newer`);
  }
  if (prerequisites.code !== 0) throw new AgentInstallError(`The prerequisites check failed: ${describe(prerequisites)}`);
  await emit("prerequisites", `docker, nginx and ${prerequisites.stdout.replace(/^node:/, "node").trim()} are installed`, 0.2);

  await host.tokenChosen();

  const sizeKiB = Math.round(statSync(bundle).size / 1024);
  await runSteps(ssh, plan.install, (step) => emit(step.step, step.kind === "upload" ? `${step.description} (agent ${version}, ${sizeKiB} KiB)` : step.description, 0.4));

  const init = await ssh.exec(plan.detectInit.argv, { timeoutMs: COMMAND_TIMEOUT_MS });
  const systemd = init.stdout.trim() === "systemd";
  await emit("init-system", systemd ? "systemd runs this server: installing slipway-agent.service" : "No systemd: the agent runs detached", 0.5);
  await runSteps(ssh, systemd ? plan.start.systemd : plan.start.detached, (step) => emit(step.step, step.description, 0.6));

  await emit("health", "Waiting for the agent to answer through the SSH tunnel", 0.7);
  const health = await waitForHealth(host, version);
  await emit(
    "health",
    `Agent ${health.version} answers; docker ${health.docker.ok ? `${health.docker.version ?? ""} ok` : `not ok (${health.docker.error})`}, nginx ${health.nginx.ok ? "ok" : `not ok (${health.nginx.error})`}`,
    0.95,
  );
  return health;
}

async function runSteps(ssh: SshConnection, steps: BootstrapStep[], announce: (step: BootstrapStep) => Promise<void>): Promise<void> {
  for (const step of steps) {
    await announce(step);
    if (step.kind === "upload") {
      await ssh.upload(step.files);
      continue;
    }
    const result = await ssh.exec(step.argv, { timeoutMs: COMMAND_TIMEOUT_MS });
    if (result.code !== 0) throw new AgentInstallError(`${step.description} failed: ${describe(result)}`);
  }
}

async function waitForHealth(host: AgentHost, version: string): Promise<HealthResponse> {
  const deadline = Date.now() + HEALTH_DEADLINE_MS;
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    try {
      const health = await host.health();
      // An older agent may still be answering while the new one starts.
      if (health.version === version) return health;
      lastProblem = `it reports version ${health.version}, expected ${version}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await sleep(500);
  }
  throw new AgentInstallError(`The agent did not answer within ${HEALTH_DEADLINE_MS / 1000} s: ${lastProblem}`);
}

function describe(result: { code: number | null; signal: string | null; stderr: string; stdout: string }): string {
  const output = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-5).join(" | ").slice(0, 500);
  const status =
    result.code !== null ? `exit ${result.code}` : result.signal ? `signal ${result.signal}` : "the connection ended before the command did";
  return output ? `${status}: ${output}` : status;
}
