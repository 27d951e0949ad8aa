// Provisions 50 droplets through the real provisionServers operation against the DigitalOcean
// simulator (NullHostProvider: no real hosts, so the agent bring-up is a stand-in that costs no
// API call) with DigitalOcean's real rate limits (250/min, 5,000/h). Prints the calls made, the
// failed ones (429 and 5xx answers), the time taken, and the least time the rate limit allows for
// that many calls. Prints; asserts nothing.
//
//   npx tsx bench/provision-50.ts            (BENCH_ACTION_DELAY_MS=10000 by default; BENCH_PACING=off to compare)
//
// The action delay stands in for how long DigitalOcean takes to create a droplet; with the
// client's real polling (2 s, growing by half up to 15 s) a 10 s create costs each droplet about
// seven calls, enough for 50 droplets to need more than one minute's budget.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startDigitalOceanSimulator } from "@slipway/lab/digitalocean";
import { Agent, type Dispatcher } from "undici";
import { buildApp } from "../server/src/app.js";
import { loadConfig } from "../server/src/config.js";
import type { Viewer } from "../server/src/domain/auth/viewer.js";
import { setCredential } from "../server/src/domain/credentials/credentials.js";
import { provisionServers } from "../server/src/domain/provisioning/provision-servers.js";
import { expectedAgentVersion } from "../server/src/domain/servers/agent-release.js";
import { AGENT_TOKEN_PURPOSE, newAgentToken } from "../server/src/domain/servers/server-connections.js";
import { createLogger } from "../server/src/logger.js";

const COUNT = 50;
const PER_MINUTE = 250;
const PER_HOUR = 5000;
const actionDelayMs = Number(process.env.BENCH_ACTION_DELAY_MS ?? 10_000);

const calls: { at: number; status: number }[] = [];
/** Counts every request the client sends and the status it got back. */
function countingDispatcher(): Dispatcher {
  return new Agent().compose((dispatch) => (options, handler) => {
    const record = (status: number) => calls.push({ at: Date.now(), status });
    const watched = new Proxy(handler, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key === "onResponseStart" && typeof value === "function") {
          return (controller: unknown, statusCode: number, ...rest: unknown[]) => (record(statusCode), value.call(target, controller, statusCode, ...rest));
        }
        if (key === "onHeaders" && typeof value === "function") {
          return (statusCode: number, ...rest: unknown[]) => (record(statusCode), value.call(target, statusCode, ...rest));
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return dispatch(options, watched);
  });
}

const sim = await startDigitalOceanSimulator({ actionDelayMs, rateLimits: { perMinute: PER_MINUTE, perHour: PER_HOUR } });
const dir = mkdtempSync(path.join(tmpdir(), "slipway-bench-"));
const app = await buildApp(loadConfig({ PORT: "0", HOST: "127.0.0.1", SLIPWAY_DATA_DIR: dir, SLIPWAY_DIGITALOCEAN_API_URL: sim.url }), {
  log: createLogger("silent"),
  provisioning: {
    // BENCH_PACING=off: no request budget, the client learns the limits only from 429s (for comparison).
    digitalOcean: { dispatcher: countingDispatcher(), ...(process.env.BENCH_PACING === "off" ? { rateLimit: { limits: [] } } : {}) },
    bringUpAgent: (_ctx, serverId) =>
      deps.db.server.update({
        where: { id: serverId },
        data: { agentTokenCiphertext: deps.secrets.encrypt(newAgentToken(), AGENT_TOKEN_PURPOSE), agentVersion: expectedAgentVersion(), status: "ACTIVE" },
      }),
  },
});
const { deps } = app;
try {
  const user = await deps.db.user.create({ data: { email: "bench@example.test", name: "bench", passwordHash: "-", role: "ADMIN" } });
  const viewer = { userId: user.id, tokenId: "bench", tokenKind: "API", role: "ADMIN", scopes: new Set(["servers:write"]) } as unknown as Viewer;
  await setCredential(deps, viewer, { provider: "DIGITALOCEAN", token: sim.token });

  // The snapshot to provision from, put straight into the simulator: only provisioning is measured.
  const imageId = sim.state.nextId("image");
  sim.state.images.set(imageId, {
    id: imageId, name: "bench-snapshot", type: "snapshot", slug: null, distribution: "Debian", regions: ["nyc3"], createdAt: new Date(),
    minDiskSize: 25, sizeGigabytes: 1.4, tags: [], hostImage: { id: String(imageId), archivePath: null },
  });
  const snapshot = await deps.db.snapshot.create({
    data: { name: "bench-snapshot", providerId: String(imageId), regions: ["nyc3"], agentVersion: expectedAgentVersion(), status: "AVAILABLE" },
  });

  const t0 = Date.now();
  const operation = await provisionServers(deps, viewer, { snapshotId: snapshot.id, count: COUNT, namePrefix: "bench" });
  let finished = await deps.db.operation.findUniqueOrThrow({ where: { id: operation.id } });
  while (!["SUCCEEDED", "FAILED", "INTERRUPTED"].includes(finished.status)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    finished = await deps.db.operation.findUniqueOrThrow({ where: { id: operation.id } });
  }
  const elapsedMs = Date.now() - t0;

  const n = calls.length;
  const failed = calls.filter((c) => c.status === 429 || c.status >= 500).length;
  const rateLimited = calls.filter((c) => c.status === 429).length;
  // DigitalOcean charges only the calls it accepts (a 429 costs nothing). With at most 250 of them in
  // any 60 s (and 5,000 in any hour), accepted call k can go out no earlier than
  // floor((k - 1) / 250) minutes after the first.
  const accepted = n - rateLimited;
  const minimumMs = Math.max(Math.floor((accepted - 1) / PER_MINUTE) * 60_000, Math.floor((accepted - 1) / PER_HOUR) * 3_600_000);
  const span = calls.length ? calls.at(-1)!.at - calls[0]!.at : 0;
  const active = await deps.db.server.count({ where: { status: "ACTIVE" } });
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

  console.log(`provision ${COUNT} droplets: operation ${finished.status}${finished.error ? ` (${finished.error})` : ""}, ${active} servers ACTIVE, ${sim.state.droplets.size} droplets`);
  console.log(`action delay ${actionDelayMs} ms; limits ${PER_MINUTE}/min, ${PER_HOUR}/h`);
  console.log(`calls made:            ${n} (${(n / COUNT).toFixed(1)} per droplet)`);
  console.log(`failed calls:          ${failed} (429: ${rateLimited}, 5xx: ${failed - rateLimited})`);
  console.log(`total time:            ${seconds(elapsedMs)} (first to last call: ${seconds(span)})`);
  console.log(`rate-limit minimum:    ${seconds(minimumMs)} for ${accepted} accepted calls`);
  if (minimumMs > 0) {
    console.log(`ratio total/minimum:   ${(elapsedMs / minimumMs).toFixed(3)} (target <= 1.10)`);
  } else {
    console.log(`ratio:                 n/a: ${accepted} calls fit in one minute's budget, the rate limit does not bind (raise BENCH_ACTION_DELAY_MS)`);
  }
} finally {
  await app.stop();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
