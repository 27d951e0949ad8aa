// Event latency: from `emit` in an operation on one replica to a subscriber on another (cluster
// mode: PostgreSQL + Redis, three compiled replicas), p50/p99 over 2,000 events (goal: p99 <= 100
// ms); and the same in single-process mode (SQLite, in-process bus). One subscriber per replica,
// connected before the first event; events are emitted every 5 ms. Prints figures only.
import { parseBenchEvent } from "./cluster/emit-events-operation.js";
import { percentile, startBenchCluster, startSingleProcess, subscribe, summary, type BenchTarget } from "./cluster/support.js";

const EVENTS = 2_000;
const INTERVAL_MS = 5;

/** Runs the operation once with a subscriber on every replica; latencies split by same or other replica. */
async function measure(target: BenchTarget, count: number): Promise<{ emitter: string; cross: number[]; same: number[] }> {
  const operationId = await target.emitEvents({ count, intervalMs: INTERVAL_MS, startAfterMs: 2_000 });
  const subscribers = target.replicas.map((replica) => ({ replica, stream: subscribe(replica, target.token, operationId) }));
  await Promise.all(subscribers.map((s) => s.stream.done));
  const cross: number[] = [];
  const same: number[] = [];
  let emitter = "";
  for (const { replica, stream } of subscribers) {
    for (const event of stream.events) {
      const parsed = parseBenchEvent(event.message);
      if (!parsed) continue;
      emitter = parsed.replica;
      (parsed.replica === String(replica.port) || target.replicas.length === 1 ? same : cross).push(event.receivedAt - parsed.emittedAt);
    }
    const numbered = stream.events.map((e) => e.seq);
    if (numbered.some((seq, i) => seq !== i + 1)) console.log(`  !! ${replica.name} did not receive every event once and in order`);
  }
  return { emitter, cross, same };
}

console.log(`cluster mode: 3 compiled replicas on PostgreSQL + Redis`);
const cluster = await startBenchCluster(3);
let clusterP99 = Number.NaN;
try {
  await measure(cluster, 100); // warm-up
  const { emitter, cross, same } = await measure(cluster, EVENTS);
  const emittedOn = cluster.replicas.find((r) => String(r.port) === emitter)?.name ?? emitter;
  console.log(`  ${EVENTS} events every ${INTERVAL_MS} ms, emitted on ${emittedOn}`);
  console.log(`  to a subscriber on another replica: ${summary(cross)}`);
  console.log(`  to a subscriber on the same replica: ${summary(same)}`);
  clusterP99 = percentile(cross, 99);
} finally {
  await cluster.close();
}

console.log(`\nsingle process: one compiled replica on SQLite, in-process bus`);
const single = await startSingleProcess();
let singleP99 = Number.NaN;
try {
  await measure(single, 100);
  const { same } = await measure(single, EVENTS);
  console.log(`  ${EVENTS} events every ${INTERVAL_MS} ms: ${summary(same)}`);
  singleP99 = percentile(same, 99);
} finally {
  await single.close();
}

console.log(`\nEVENT LATENCY p99: ${clusterP99.toFixed(1)} ms across replicas (goal <= 100 ms), ${singleP99.toFixed(1)} ms in one process`);
process.exit(0);
