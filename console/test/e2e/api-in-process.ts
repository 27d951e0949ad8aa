// The API for the browser tests, run by tsx as its own process: the real control plane (HTTP +
// WebSocket, SQLite in a temp dir, real deploy orchestration) with the servers' side replaced by
// the server tests' RecordingGateway, slowed down so a deploy lasts long enough to reload the page
// in the middle of it; and the lab's DigitalOcean simulator, so credentials verify and regions and
// sizes load. Prints one line `READY {json}` when it answers, and stops on SIGTERM.
import type { Readable } from "node:stream";
import { startDigitalOceanSimulator } from "@slipway/lab/digitalocean";

// Loaded by URL so the console's type check stays out of the server's sources (other compiler settings).
const fromServer = (file: string) => import(new URL(`../../../server/${file}`, import.meta.url).href);
const { startTestServer } = await fromServer("test/harness.ts");
const { RecordingGateway } = await fromServer("test/recording-gateway.ts");
const { configureProvisioning } = await fromServer("src/domain/provisioning/environment.ts");
const { expectedAgentVersion } = await fromServer("src/domain/servers/agent-release.ts");

type LineSink = (line: Record<string, unknown>) => void | Promise<void>;
type BuildQuery = { tag: string; service: string; deployment: string };

const stepMs = Number(process.env.SLIPWAY_E2E_STEP_MS ?? 250);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The recording gateway, with a build log and health-check progress that take real time. */
class SlowGateway extends (RecordingGateway as new () => { buildImage(...args: unknown[]): Promise<unknown>; release(...args: unknown[]): Promise<unknown> }) {
  override async buildImage(serverId: string, context: Readable, q: BuildQuery, onLine: LineSink) {
    for (let i = 1; i <= 12; i++) {
      await onLine({ type: "log", step: "build", line: `#${i} building layer ${i}/12` });
      await sleep(stepMs);
    }
    return super.buildImage(serverId, context, q, onLine);
  }

  override async release(serverId: string, request: unknown, onLine: LineSink) {
    for (const progress of [0.2, 0.4, 0.6, 0.8]) {
      await onLine({ type: "progress", step: "start", message: `starting the new container (${progress * 100}%)`, progress });
      await sleep(stepMs);
    }
    return super.release(serverId, request, onLine);
  }
}

const digitalOcean = await startDigitalOceanSimulator({ actionDelayMs: 200 });
const server = await startTestServer(
  { SLIPWAY_DIGITALOCEAN_API_URL: digitalOcean.url },
  process.env.SLIPWAY_DATA_DIR,
  { servers: new SlowGateway() },
);
const { db } = server.app.deps as { db: any };
// Two SSH hosts to deploy to (unique prefix con-), and one outdated agent to show the badge.
await db.server.create({ data: { name: "con-web-1", kind: "SSH_HOST", status: "ACTIVE", managed: false, publicIpv4: "198.51.100.11", agentVersion: "0.0.1" } });
await db.server.create({ data: { name: "con-web-2", kind: "SSH_HOST", status: "ACTIVE", managed: false, publicIpv4: "198.51.100.12" } });

// Snapshots and droplets are real in the simulator; only the agent's bring-up over SSH is stood in
// for (the simulator's droplets are not hosts), the way the server's provisioning tests do it.
configureProvisioning(server.app.deps, {
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
  bringUpAgent: async (_deps: unknown, ctx: { emit(event: Record<string, unknown>): Promise<void> }, serverId: string) => {
    await ctx.emit({ step: "agent", message: "Agent answering (stand-in bring-up)", serverId });
    return db.server.update({
      where: { id: serverId },
      data: { hostKeyFingerprint: `SHA256:stand-in-${serverId.slice(0, 8)}`, agentVersion: expectedAgentVersion(), status: "ACTIVE", lastSeenAt: new Date() },
    });
  },
});

console.log(`READY ${JSON.stringify({ url: server.url, dataDir: server.dataDir, admin: { email: "admin@example.test", password: "correct-horse-battery-staple" }, digitalOceanToken: digitalOcean.token })}`);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    void server.stop().finally(() => process.exit(0));
  });
}
