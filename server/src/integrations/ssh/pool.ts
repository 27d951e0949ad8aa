import { SshConnection, type ConnectOptions, type SshTarget } from "./connection.js";
import type { SshIdentity } from "./identity.js";

/**
 * At most one SSH connection per server, kept open (with keepalives) and shared by every caller;
 * a connection that broke, or whose target changed (address, user, pinned key), is replaced on
 * the next request.
 */
export class SshPool {
  private readonly open = new Map<string, SshConnection>();
  private readonly pending = new Map<string, Promise<SshConnection>>();
  private closing = false;

  constructor(
    private readonly identity: () => SshIdentity,
    private readonly options: ConnectOptions = {},
  ) {}

  async connection(serverId: string, target: SshTarget): Promise<SshConnection> {
    // One connect at a time per server: whoever finds one under way waits for it, then looks again.
    while (true) {
      if (this.closing) throw new Error("The SSH pool is closed");
      const current = this.open.get(serverId);
      if (current && !current.closed && sameTarget(current, target)) return current;
      const waiting = this.pending.get(serverId);
      if (!waiting) break;
      await waiting.catch(() => undefined);
    }
    this.drop(serverId);
    const connecting = SshConnection.open(target, this.identity(), this.options);
    this.pending.set(serverId, connecting);
    try {
      const connection = await connecting;
      if (this.closing) {
        connection.close();
        throw new Error("The SSH pool is closed");
      }
      this.open.set(serverId, connection);
      connection.onClose(() => {
        if (this.open.get(serverId) === connection) this.open.delete(serverId);
      });
      return connection;
    } finally {
      if (this.pending.get(serverId) === connecting) this.pending.delete(serverId);
    }
  }

  /** Closes the server's connection, if any; the next request connects afresh. */
  drop(serverId: string): void {
    const connection = this.open.get(serverId);
    this.open.delete(serverId);
    connection?.close();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.pending.values()]);
    for (const connection of this.open.values()) connection.close();
    this.open.clear();
  }
}

function sameTarget(connection: SshConnection, target: SshTarget): boolean {
  const was = connection.target;
  return (
    was.host === target.host &&
    was.port === target.port &&
    was.username === target.username &&
    // A first-contact connection matches the key it pinned; a changed pin means reconnecting.
    (target.pinnedFingerprint === null || target.pinnedFingerprint === connection.hostKeyFingerprint)
  );
}
