// The API for the metrics browser test, run by tsx as its own process: the real control plane with
// an hour of figures written as the collector writes them (raw rows every 15 s, and on for the next
// ten minutes) for a service on an adopted host that scaled out to three servers and back in to
// two, with its scaling decisions and their operations. Nothing is collected live (no server has an agent). Prints `READY {json}`.
import { randomUUID } from "node:crypto";
import { emptyHistogram, LATENCY_BUCKETS_MS } from "@slipway/agent/protocol";

const fromServer = (file: string) => import(new URL(`../../../server/${file}`, import.meta.url).href);
const { startTestServer, gid } = await fromServer("test/harness.ts");

// No evaluation of the seeded policy (its servers have no agent to collect from) while the test looks.
const server = await startTestServer(
  { SLIPWAY_AUTOSCALE_INTERVAL_SECONDS: "3600", SLIPWAY_CONSOLE_URL: process.env.SLIPWAY_CONSOLE_URL ?? "http://localhost:3000" },
  process.env.SLIPWAY_DATA_DIR,
);
const { db } = server.app.deps as { db: any };
const now = Date.now();
const minutesAgo = (m: number) => new Date(Math.floor((now - m * 60_000) / 15_000) * 15_000);

const project = await db.project.create({ data: { name: "shop" } });
const service = await db.service.create({ data: { projectId: project.id, name: "web", imageBase: "slipway/shop-web", agentName: "shop--web", port: 8080 } });
const snapshot = await db.snapshot.create({ data: { name: "con-snap", providerId: "1", regions: ["nyc3"], agentVersion: "0.1.0", status: "AVAILABLE" } });
const policy = await db.autoscalePolicy.create({
  data: { serviceId: service.id, enabled: true, minServers: 1, maxServers: 3, targetRequestsPerSecond: 10, snapshotId: snapshot.id, region: "nyc3" },
});
const adopted = await db.server.create({ data: { name: "con-web-1", kind: "SSH_HOST", status: "ACTIVE", managed: false, publicIpv4: "198.51.100.21", lastSeenAt: new Date() } });
const kept = await db.server.create({ data: { name: "web-as-4d5e6f", kind: "DROPLET", status: "ACTIVE", managed: true, region: "nyc3", size: "s-1vcpu-1gb", publicIpv4: "198.51.100.22", lastSeenAt: new Date() } });
const removedId = randomUUID(); // scaled in ten minutes ago: only its figures and name remain
await db.serverMetricsState.create({ data: { serverId: removedId, serverName: "web-as-1a2b3c" } });

async function scaled(action: "SCALE_OUT" | "SCALE_IN", at: Date, from: number, to: number, reason: string) {
  const operation = await db.operation.create({
    data: { kind: "SCALE", handler: "scale-service", status: "SUCCEEDED", title: `Scale shop/web ${action === "SCALE_OUT" ? "out" : "in"}: ${from} → ${to} servers`, serviceId: service.id, createdAt: at, startedAt: at, finishedAt: new Date(at.getTime() + 40_000) },
  });
  await db.autoscaleDecision.create({ data: { serviceId: service.id, at, currentServers: from, recommendedServers: to, desiredServers: to, action, reason, operationId: operation.id } });
  return operation;
}
const out = await scaled("SCALE_OUT", minutesAgo(41), 1, 3, "requests 24/s per server over 1 server, target 10/s → 3 servers: scaling out from 1 to 3 servers");
await scaled("SCALE_IN", minutesAgo(11), 3, 2, "requests 6/s per server over 3 servers, target 10/s → 2 servers: scaling in towards 2 servers: removing web-as-1a2b3c");
await db.autoscaledServer.create({ data: { serverId: kept.id, policyId: policy.id, serviceId: service.id, operationId: out.id } });
const release = await db.deployment.create({
  data: {
    serviceId: service.id, status: "SUCCEEDED", sourceType: "IMAGE", sourceRef: "registry.example/shop/web:1.4.2", imageTag: "slipway/shop-web:deploy_0f8fad5b",
    port: 8080, healthCheckPath: "/", healthCheckTimeoutSeconds: 30, domains: [], createdAt: minutesAgo(120), finishedAt: minutesAgo(119),
    envCiphertext: server.app.deps.secrets.encrypt(JSON.stringify({ env: {}, secretKeys: [] }), "deployment-env"),
  },
});
await db.serviceServer.createMany({
  data: [
    { serviceId: service.id, serverId: adopted.id, addedAt: minutesAgo(120), currentDeploymentId: release.id },
    { serviceId: service.id, serverId: kept.id, addedAt: minutesAgo(40), currentDeploymentId: release.id },
  ],
});

const histogram = (ms: number, count: number) => {
  const h = emptyHistogram();
  h[Math.max(0, LATENCY_BUCKETS_MS.findIndex((b) => ms <= b))] = count;
  return h;
};
const serverRows: object[] = [];
const serviceRows: object[] = [];
// Up to ten minutes ahead as well: the figures stay current while the test runs.
for (let m = 60; m >= -10; m -= 0.25) {
  const at = minutesAgo(m);
  const scaledOut = m <= 40 && m > 10;
  const members = [
    { id: adopted.id, from: 60, to: -11 },
    { id: kept.id, from: 40, to: -11 },
    { id: removedId, from: 40, to: 10 },
  ].filter((s) => m <= s.from && m > s.to);
  for (const s of members) {
    // The adopted host did not answer for two minutes: a gap, not a zero.
    const reachable = !(s.id === adopted.id && m <= 25 && m > 23);
    const rps = s.id === adopted.id && m > 40 ? 24 : scaledOut ? 8 : 10;
    const wave = Math.sin(m / 3) * 2;
    serverRows.push({ serverId: s.id, step: 0, at, reachable, ...(reachable ? { cpuPercent: 15 + rps * 2 + wave, memoryUsedBytes: 420e6 + rps * 1e6, memoryTotalBytes: 1e9, load1: rps / 20, diskFreeBytes: 18e9, diskTotalBytes: 25e9 } : { error: "con-web-1 did not answer within 15 s" }) });
    serviceRows.push({
      serviceId: service.id, serverId: s.id, step: 0, at, reachable,
      ...(reachable ? { cpuPercent: rps * 1.5 + wave, memoryBytes: 90e6 + rps * 1e6, intervalSeconds: 15, requests: Math.round((rps + wave) * 15), errors: m < 30 && m > 28 ? 6 : 0, latencyHistogram: histogram(rps > 20 ? 80 : 12, Math.round(rps * 15)), latencyP50Ms: rps > 20 ? 65 : 8, latencyP95Ms: rps > 20 ? 140 : 18 } : {}),
    });
  }
}
await db.serverMetric.createMany({ data: serverRows });
await db.serviceMetric.createMany({ data: serviceRows });

console.log(`READY ${JSON.stringify({
  url: server.url,
  dataDir: server.dataDir,
  admin: { email: "admin@example.test", password: "correct-horse-battery-staple" },
  serviceId: gid("Service", service.id),
  adoptedId: gid("Server", adopted.id),
})}`);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    void server.stop().finally(() => process.exit(0));
  });
}
