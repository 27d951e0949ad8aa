// The agent on a snapshot's temporary droplet: the same installation as any server's, over an
// SSH connection pinned in memory (the droplet is never a recorded server) and a token that is
// thrown away with the droplet (each provisioned server gets its own).
import { DEFAULT_AGENT_PORT, type HealthResponse } from "@slipway/agent/protocol";
import { AgentClient } from "../../integrations/agent-client/agent-client.js";
import { SshConnection } from "../../integrations/ssh/connection.js";
import type { Deps } from "../deps.js";
import type { OperationContext, TemporaryDroplet } from "../ports.js";
import { installAgentOn } from "../servers/install-agent.js";
import { newAgentToken } from "../servers/server-connections.js";
import { CLOUD_INIT_STATUS_ARGV, CLOUD_INIT_WAIT_ARGV } from "./cloud-init.js";
import { waitForSsh } from "./droplet-steps.js";

export async function prepareSnapshotHost(deps: Deps, ctx: OperationContext, droplet: TemporaryDroplet, sshWaitMs: number): Promise<HealthResponse> {
  const identity = deps.connections.identity();
  let pinned: string | null = null;
  const opened: SshConnection[] = [];
  const connect = async () => {
    const connection = await SshConnection.open(
      { host: droplet.address, port: 22, username: "root", pinnedFingerprint: pinned, onFirstContact: async (fingerprint) => void (pinned = fingerprint) },
      identity,
    );
    opened.push(connection);
    return connection;
  };
  const token = newAgentToken();
  ctx.redact(token);
  const agent = new AgentClient({ token, connect: async () => (await connect()).forward(DEFAULT_AGENT_PORT) });
  try {
    await ctx.emit({ step: "ssh", message: `Waiting for sshd on ${droplet.address}` });
    const first = await waitForSsh(connect, sshWaitMs);
    await waitForCloudInit(ctx, first);
    return await installAgentOn(ctx, {
      serverId: null,
      sshUser: "root",
      address: droplet.address,
      sshPort: 22,
      agentPort: DEFAULT_AGENT_PORT,
      firstContact: false,
      token,
      connect,
      tokenChosen: async () => undefined,
      health: () => agent.health(),
    });
  } finally {
    await agent.close().catch(() => undefined);
    for (const connection of opened) connection.close();
  }
}

/**
 * Waits for cloud-init to finish. A host where it never ran (status "not run" or "disabled":
 * an image without it, or the lab, which stores user data without running it) is not waited
 * for; either way the agent's prerequisites check decides whether the host is usable.
 */
async function waitForCloudInit(ctx: OperationContext, ssh: SshConnection): Promise<void> {
  const status = await ssh.exec(CLOUD_INIT_STATUS_ARGV, { timeoutMs: 30_000 });
  const said = status.stdout.trim() || status.stderr.trim();
  if (status.code === 127 || /not run|disabled/.test(said)) {
    await ctx.emit({ step: "cloud-init", level: "WARN", message: `cloud-init did not run here (${said.split("\n")[0] || `exit ${status.code}`}); the prerequisites check decides` });
    return;
  }
  await ctx.emit({ step: "cloud-init", message: "Waiting for cloud-init to finish" });
  const done = await ssh.exec(CLOUD_INIT_WAIT_ARGV, { timeoutMs: 20 * 60_000 });
  await ctx.emit(
    done.code === 0
      ? { step: "cloud-init", message: "cloud-init has finished" }
      : { step: "cloud-init", level: "WARN", message: `cloud-init did not report success (exit ${done.code}); the prerequisites check decides` },
  );
}
