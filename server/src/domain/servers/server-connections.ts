import { randomBytes } from "node:crypto";
import type { Server } from "../../generated/prisma/client.js";
import { AgentClient } from "../../integrations/agent-client/agent-client.js";
import { HostKeyMismatchError } from "../../integrations/ssh/errors.js";
import type { SshConnection } from "../../integrations/ssh/connection.js";
import type { SshIdentity } from "../../integrations/ssh/identity.js";
import { SshPool } from "../../integrations/ssh/pool.js";
import type { Database } from "../../db.js";
import type { SecretBox } from "../crypto/secret-box.js";
import type { ServerConnections } from "../ports.js";

/** The purpose the agent token is encrypted under (bound as associated data). */
export const AGENT_TOKEN_PURPOSE = "agent-token";

// A server that stops answering SSH keepalives is given up once 6 of them, 1 s apart, went
// unanswered (6 to 7 s after its last answer), and agent streams after 7 s of silence (see
// STREAM_SILENCE_LIMIT_MS): a host cut off mid-deploy is noticed well within 10 s, while a host
// that stalls for a few seconds (a busy machine, a slow network) is not given up.
const SSH_KEEPALIVE = { keepaliveIntervalMs: 1_000, keepaliveCountMax: 6 };
// "Last seen" is written at most this often per server, however chatty the calls.
const LAST_SEEN_EVERY_MS = 1_000;

interface ConnectionDeps {
  db: Database;
  secrets: SecretBox;
  /** The control plane's SSH key pair (control-plane-identity.ts). */
  identity: SshIdentity;
}

/**
 * The control plane's way to its servers: one pinned SSH connection per server (shared, kept
 * alive, reopened on demand) and, through it, an agent client per server.
 */
export class SshServerConnections implements ServerConnections {
  private readonly pool: SshPool;
  private readonly agents = new Map<string, { key: string; client: AgentClient }>();
  private readonly lastSeenWritten = new Map<string, number>();

  constructor(private readonly deps: ConnectionDeps) {
    this.pool = new SshPool(() => this.identity(), SSH_KEEPALIVE);
  }

  identity(): SshIdentity {
    return this.deps.identity;
  }

  /**
   * The server's SSH connection. On first contact the key it presents is pinned (written only if
   * nothing was pinned meanwhile) before anything runs; later, any other key is refused.
   */
  ssh(server: Pick<Server, "id" | "publicIpv4" | "sshPort" | "sshUser" | "hostKeyFingerprint">): Promise<SshConnection> {
    if (!server.publicIpv4) throw new Error("The server has no address yet");
    const { db } = this.deps;
    return this.pool.connection(server.id, {
      host: server.publicIpv4,
      port: server.sshPort,
      username: server.sshUser,
      pinnedFingerprint: server.hostKeyFingerprint,
      onFirstContact: async (fingerprint) => {
        const pinned = await db.server.updateMany({ where: { id: server.id, hostKeyFingerprint: null }, data: { hostKeyFingerprint: fingerprint } });
        if (pinned.count === 1) return;
        const current = await db.server.findUniqueOrThrow({ where: { id: server.id }, select: { hostKeyFingerprint: true } });
        if (current.hostKeyFingerprint !== fingerprint) throw new HostKeyMismatchError(current.hostKeyFingerprint ?? "(none)", fingerprint);
      },
    });
  }

  /** A client for the server's agent, tunnelled through its SSH connection. */
  agent(server: Server): AgentClient {
    if (!server.agentTokenCiphertext) throw new Error(`The server "${server.name}" has no agent token: install the agent first`);
    const key = `${server.agentTokenCiphertext}|${server.agentPort}|${server.publicIpv4}|${server.hostKeyFingerprint}`;
    const cached = this.agents.get(server.id);
    if (cached?.key === key) return cached.client;
    void cached?.client.close();
    const token = this.deps.secrets.decrypt(server.agentTokenCiphertext, AGENT_TOKEN_PURPOSE);
    // The SSH connection the tunnels went through last: when one breaks, it says why.
    let tunnelledThrough: SshConnection | null = null;
    const client = new AgentClient({
      token,
      onAnswer: () => this.seen(server.id),
      tunnelLoss: () => tunnelledThrough?.endReason ?? null,
      connect: async () => {
        // Re-read the row: the pin may have been set (or changed) since this client was made.
        const current = await this.deps.db.server.findUniqueOrThrow({ where: { id: server.id } });
        tunnelledThrough = await this.ssh(current);
        return tunnelledThrough.forward(current.agentPort);
      },
    });
    this.agents.set(server.id, { key, client });
    return client;
  }

  /** Every successful contact with a server's agent updates its "last seen" (at most once a second). */
  private seen(serverId: string): void {
    const now = Date.now();
    if (now - (this.lastSeenWritten.get(serverId) ?? 0) < LAST_SEEN_EVERY_MS) return;
    this.lastSeenWritten.set(serverId, now);
    void this.deps.db.server.updateMany({ where: { id: serverId }, data: { lastSeenAt: new Date(now) } }).catch(() => undefined);
  }

  /** Closes the server's connections; the next use reconnects (and checks the host key again). */
  forget(serverId: string): void {
    const cached = this.agents.get(serverId);
    this.agents.delete(serverId);
    void cached?.client.close();
    this.pool.drop(serverId);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.agents.values()].map(({ client }) => client.close()));
    this.agents.clear();
    await this.pool.close();
  }
}

/** A new agent bearer token: 256 random bits, hex. */
export function newAgentToken(): string {
  return randomBytes(32).toString("hex");
}
