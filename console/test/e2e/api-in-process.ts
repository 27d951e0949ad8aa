// The API for the browser tests that need no real host, run by tsx as its own process: the real
// control plane (HTTP + WebSocket, SQLite in a temp dir) with its default servers' gateway (nothing
// is deployed through it here: deploys run on lab hosts, see api-lab.ts), and the lab's
// DigitalOcean simulator, so credentials verify, regions and sizes load, and snapshots and droplets
// are made. Prints one line `READY {json}` when it answers, and stops on SIGTERM.
import { startDigitalOceanSimulator } from "@slipway/lab/digitalocean";

// Loaded by URL so the console's type check stays out of the server's sources (other compiler settings).
const fromServer = (file: string) => import(new URL(`../../../server/${file}`, import.meta.url).href);
const { startTestServer } = await fromServer("test/harness.ts");
const { expectedAgentVersion } = await fromServer("src/domain/servers/agent-release.ts");

const stepMs = Number(process.env.SLIPWAY_E2E_STEP_MS ?? 250);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const digitalOcean = await startDigitalOceanSimulator({ actionDelayMs: 200 });
// Snapshots and droplets are real in the simulator; only the agent's bring-up over SSH is stood in
// for (the simulator's droplets are not hosts), the way the server's provisioning tests do it.
const provisioning = {
  digitalOcean: {
    actions: { pollIntervalMs: 100, maxPollIntervalMs: 200 },
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    rateLimit: { initialWaitMs: 5, maxWaitMs: 50 },
  },
  goneWaitMs: 10_000,
  installSnapshotAgent: async () => {
    await sleep(stepMs);
    return { version: expectedAgentVersion() };
  },
  bringUpAgent: async (ctx: { emit(event: Record<string, unknown>): Promise<void> }, serverId: string) => {
    await ctx.emit({ step: "agent", message: "Agent answering (stand-in bring-up)", serverId });
    return db.server.update({
      where: { id: serverId },
      data: { hostKeyFingerprint: `SHA256:stand-in-${serverId.slice(0, 8)}`, agentVersion: expectedAgentVersion(), status: "ACTIVE", lastSeenAt: new Date() },
    });
  },
};
const server = await startTestServer(
  {
    SLIPWAY_DIGITALOCEAN_API_URL: digitalOcean.url,
    SLIPWAY_CONSOLE_URL: process.env.SLIPWAY_CONSOLE_URL ?? "http://localhost:3000",
    // The failed-adopt view adopts 127.0.0.1:1 (nothing listens there), a loopback target.
    SLIPWAY_ALLOW_PRIVATE_TARGETS: "1",
  },
  process.env.SLIPWAY_DATA_DIR,
  { provisioning },
);
const { db } = server.app.deps as { db: any };
// Two SSH hosts as rows only (TEST-NET addresses, nothing is sent to them; unique prefix con-): one
// with an outdated agent to show the badge, the other for the forced-delete guard.
await db.server.create({ data: { name: "con-web-1", kind: "SSH_HOST", status: "ACTIVE", managed: false, publicIpv4: "198.51.100.11", agentVersion: "0.0.1" } });
await db.server.create({ data: { name: "con-web-2", kind: "SSH_HOST", status: "ACTIVE", managed: false, publicIpv4: "198.51.100.12" } });

console.log(`READY ${JSON.stringify({ url: server.url, dataDir: server.dataDir, admin: { email: "admin@example.test", password: "correct-horse-battery-staple" }, digitalOceanToken: digitalOcean.token })}`);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    void server.stop().finally(() => process.exit(0));
  });
}
