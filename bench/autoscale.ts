// Autoscaling on lab hosts (the scenario of server/test/autoscaling-lab-support.ts), printing:
// 1. Reaction: seconds from the load crossing the target to the decision, and to the new server
//    serving traffic (its first answer to the load generator), split into provisioning (droplet
//    create → agent answering: DigitalOcean's and the droplet's time) and Slipway's own (the
//    decision, copying the image, the health-gated start, DNS).
// 2. Failed requests during scale-out and scale-in under load (the load follows DNS, 1 s TTL).
// 3. Collection cost: control-plane CPU per server per collection (and per day at the default
//    15 s interval), and database growth per server per day (rows, bytes; written and kept).
// Prints figures; asserts nothing. Intervals are shortened (collect and evaluate every 2 s).
// SLIPWAY_TEST_DATABASE=postgresql runs the control plane on the test PostgreSQL instead of SQLite.
import { setTimeout as sleep } from "node:timers/promises";
import { APP, startAutoscaleLab } from "../server/test/autoscaling-lab-support.js";
import { startLoad } from "../server/test/autoscaling-load.js";
import { follow } from "../server/test/e2e-support.js";
import { gid, rawId, type Event } from "../server/test/harness.js";
import { collectServer } from "../server/src/domain/metrics/collect-metrics.js";
import { agentServiceName } from "../server/src/domain/deployments/release-config.js";

const TARGET = 5;
const env = await startAutoscaleLab({ instance: "bench-autoscale", prefix: "bench-as" });
const db = env.server.app.deps.db;
const serviceId = rawId(env.serviceId);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function until<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

async function timedEvents(operationId: string): Promise<(Event & { at: number })[]> {
  const stored = await db.operationEvent.findMany({ where: { operationId }, orderBy: { seq: "asc" } });
  return stored.map((e) => ({ seq: e.seq, step: e.step, level: e.level, message: e.message, serverId: e.serverId, at: e.createdAt.getTime() }));
}

try {
  console.log(`set-up: snapshot ${seconds(env.timings.snapshotMs!)}, adopt ${seconds(env.timings.adoptMs!)}, first deploy ${seconds(env.timings.firstDeployMs!)}`);
  const load = startLoad({ hostname: APP, ca: env.cfSim.caCertPem, resolve: env.resolve, requestsPerSecond: 2, maxDurationMs: 600_000 });
  const policy = { enabled: true, minServers: 1, maxServers: 2, targetRequestsPerSecond: TARGET, warmupSeconds: 5, scaleOutCooldownSeconds: 600, scaleInWindowSeconds: 15 };
  const set = await env.setPolicy(policy);
  if (set.__typename !== "MutationSetAutoscalePolicySuccess") throw new Error(JSON.stringify(set));
  await sleep(8_000); // below the target: nothing happens
  load.takeReport();

  // ---------------------------------------------------------------- scale out
  const crossed = Date.now();
  load.setRate(4 * TARGET);
  const operation = await until(() => db.operation.findFirst({ where: { serviceId, kind: "SCALE" } }), 60_000, "a scale-out");
  const decision = await db.autoscaleDecision.findFirstOrThrow({ where: { operationId: operation.id } });
  await follow(env.server, gid("Operation", operation.id));
  const events = await timedEvents(operation.id);
  const fresh = (await db.autoscaledServer.findFirstOrThrow({ where: { operationId: operation.id }, include: { server: true } })).server;
  const address = fresh.publicIpv4!;
  await until(async () => load.report.served[address], 30_000, "traffic on the new server");
  const firstServed = load.report.served[address]!.firstAt;
  await sleep(5_000);
  const out = load.takeReport();

  const at = (predicate: (e: Event) => boolean) => events.find(predicate)?.at ?? NaN;
  const provisionStart = at((e) => e.step === "ssh-key" || e.step === "create");
  const agentReady = at((e) => e.step === "ready");
  const serving = at((e) => e.step === "release" && e.message.startsWith("Serving"));
  const dnsDone = events.filter((e) => e.step === "dns").at(-1)?.at ?? NaN;
  const provisioning = agentReady - provisionStart;
  const total = firstServed - crossed;
  console.log("\nReaction (load 4× the target from one server, max 2):");
  console.log(`  load crossed the target → decision:        ${seconds(decision.at.getTime() - crossed)}   (${decision.reason})`);
  console.log(`  decision → operation started:               ${seconds(operation.createdAt.getTime() - decision.at.getTime())}`);
  console.log(`  provisioning (droplet create → agent ready): ${seconds(provisioning)}`);
  console.log(`  copy image + health-gated start + join:     ${seconds(serving - agentReady)}`);
  console.log(`  DNS records:                                ${seconds(dnsDone - serving)}`);
  console.log(`  DNS → first request served by it:           ${seconds(firstServed - dnsDone)}   (load generator's DNS TTL 1 s)`);
  console.log(`  total, load crossed → new server serving:   ${seconds(total)}`);
  console.log(`  of which provisioning: ${seconds(provisioning)}; Slipway's own: ${seconds(total - provisioning)}`);
  console.log(`  failed requests during scale-out: ${out.failed} of ${out.requests}${out.failures.length ? ` ${JSON.stringify(out.failures)}` : ""}`);

  // ---------------------------------------------------------------- scale in
  load.setRate(2);
  load.takeReport();
  const dropped = Date.now();
  const scaleIn = await until(() => db.autoscaleDecision.findFirst({ where: { serviceId, action: "SCALE_IN" } }), 120_000, "a scale-in");
  await follow(env.server, gid("Operation", scaleIn.operationId!));
  const inEvents = await timedEvents(scaleIn.operationId!);
  await sleep(2_000);
  const inReport = await load.stop();
  const dnsGone = inEvents.find((e) => e.step === "dns")?.at ?? NaN;
  const destroyed = inEvents.filter((e) => e.step === "destroy").at(-1)?.at ?? NaN;
  console.log("\nScale in (load down to 2 req/s, 15 s window, 3 s DNS drain):");
  console.log(`  load dropped → decision: ${seconds(scaleIn.at.getTime() - dropped)}; DNS removed → droplet gone: ${seconds(destroyed - dnsGone)}`);
  console.log(`  failed requests during scale-in: ${inReport.failed} of ${inReport.requests}${inReport.failures.length ? ` ${JSON.stringify(inReport.failures)}` : ""}`);
  // ---------------------------------------------------------------- collection cost (no load, no operation running)
  await env.server.app.deps.scheduler.close(); // only the measured collections run now
  const servers = await db.server.findMany({ where: { status: "ACTIVE" }, include: { services: { include: { service: { include: { project: true } } } } } });
  const rounds = 20;
  let slot = Math.ceil(Date.now() / 1000) * 1000;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    slot += 15_000;
    await Promise.all(servers.map((server) => collectServer(env.server.app.deps, server, server.services.map((s) => ({ serviceId: s.serviceId, agentName: agentServiceName(s.service.project, s.service) })), new Date(slot))));
  }
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  const perCollectionMs = (cpu.user + cpu.system) / 1000 / (rounds * servers.length);
  console.log("\nCollection cost (control plane, SSH-tunnelled agent call + rows, measured over 20 rounds of every server):");
  console.log(`  CPU per server per collection: ${perCollectionMs.toFixed(2)} ms (wall ${(wallMs / rounds).toFixed(0)} ms per round)`);
  console.log(`  per server per day at 15 s:    ${((perCollectionMs * 5760) / 1000).toFixed(1)} CPU-seconds (${((perCollectionMs * 5760) / 86_400_000 * 100).toFixed(3)}% of one core)`);

  // Bytes per row: a day of one server's collections (5,760 rows per table) added as copies of real
  // rows (raw rows and minute rows are the same shape), measured in the database's own terms.
  const provider = env.server.databaseUrl.startsWith("file:") ? "SQLite" : "PostgreSQL";
  const bytesBefore = await metricBytes();
  const server = await db.serverMetric.findFirstOrThrow({ where: { step: 0, reachable: true, cpuPercent: { not: null } }, orderBy: { at: "desc" } });
  const service = await db.serviceMetric.findFirstOrThrow({ where: { step: 0, requests: { not: null } }, orderBy: { at: "desc" } });
  const copies = 5760;
  const dayAgo = Date.now() - 2 * 86_400_000;
  for (let i = 0; i < copies; i += 960) {
    const ats = Array.from({ length: Math.min(960, copies - i) }, (_, k) => new Date(dayAgo - (i + k) * 15_000));
    await db.serverMetric.createMany({ data: ats.map((at) => ({ ...server, serverId: "bench-growth", at })) });
    await db.serviceMetric.createMany({ data: ats.map((at) => ({ ...service, serverId: "bench-growth", at, latencyHistogram: service.latencyHistogram ?? undefined })) });
  }
  const bytesPerRow = ((await metricBytes()) - bytesBefore) / (2 * copies);
  const rows = (collections: number, minutes: number) => (collections + minutes) * 2; // a server row and a service row each
  const mib = (n: number) => ((n * bytesPerRow) / 1024 / 1024).toFixed(1);
  console.log(`\nDatabase growth per server per day (one service on it; ${provider}, tables and indexes, ${bytesPerRow.toFixed(0)} bytes per row):`);
  console.log(`  written per day at 15 s:  ${rows(5760, 1440)} rows ≈ ${mib(rows(5760, 1440))} MiB (raw and minute rows; deleted again by retention)`);
  console.log(`  kept (6 h raw, 7 d of minutes): ${rows(1440, 10080)} rows ≈ ${mib(rows(1440, 10080))} MiB per server, flat once retention applies`);
  console.log(`  and per further service on the server: ${rows(1440, 10080) / 2} rows ≈ ${mib(rows(1440, 10080) / 2)} MiB kept`);
} finally {
  await env.close();
}

/** Bytes the metric tables and their indexes take: SQLite's dbstat, PostgreSQL's relation sizes. */
async function metricBytes(): Promise<number> {
  if (env.server.databaseUrl.startsWith("file:")) {
    await db.$executeRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)").catch(() => undefined);
    const stat = await db.$queryRawUnsafe<{ bytes: number | bigint }[]>(
      `SELECT SUM(pgsize) AS bytes FROM dbstat WHERE name IN ('ServerMetric', 'ServiceMetric') OR name LIKE 'sqlite_autoindex_ServerMetric%' OR name LIKE 'sqlite_autoindex_ServiceMetric%' OR name LIKE 'ServerMetric_%' OR name LIKE 'ServiceMetric_%'`,
    );
    return Number(stat[0]?.bytes ?? 0);
  }
  const size = await db.$queryRawUnsafe<{ bytes: number | bigint }[]>(`SELECT pg_total_relation_size('"ServerMetric"') + pg_total_relation_size('"ServiceMetric"') AS bytes`);
  return Number(size[0]?.bytes ?? 0);
}
