// 1,000 concurrent subscribers spread over three replicas (cluster mode: PostgreSQL + Redis,
// compiled replicas) follow one operation of 200 events, one every 50 ms: does every subscriber get
// every event, once and in order, and how late (p50/p99 from emit to delivery)? Also what the
// subscribers cost while they wait (database transactions/s, replicas' CPU) and per delivery.
// Subscribers are graphql-ws clients in this process, each on a WebSocket of its own. Prints
// figures only.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { parseBenchEvent } from "./cluster/emit-events-operation.js";
import { memoryOf, startBenchCluster, subscribe, summary, type Subscriber } from "./cluster/support.js";

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 1_000);
const EVENTS = 200;
const INTERVAL_MS = 50;
const START_AFTER_MS = 40_000;
const IDLE_WINDOW_MS = 10_000;

const target = await startBenchCluster(3);
try {
  const replicaPids = target.cluster!.processes().filter((p) => p.spec.name.startsWith("replica")).map((p) => p.pid);
  const rss = () => replicaPids.map((pid) => `${memoryOf(pid).rss.toFixed(0)} MB`).join(", ");
  const started = Date.now();
  const operationId = await target.emitEvents({ count: EVENTS, intervalMs: INTERVAL_MS, startAfterMs: START_AFTER_MS });
  let connected = 0;
  const subscribers: Subscriber[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const subscriber = subscribe(target.replicas[i % target.replicas.length]!, target.token, operationId);
    subscriber.client.on("connected", () => void (connected += 1));
    subscribers.push(subscriber);
    if (i % 50 === 49) await sleep(10);
  }
  while (connected < SUBSCRIBERS && Date.now() - started < START_AFTER_MS) await sleep(50);
  console.log(`${connected} of ${SUBSCRIBERS} subscribers connected after ${Date.now() - started} ms; replicas' RSS ${rss()}`);

  // What the waiting streams cost before the first event (their reconcile checks), once every
  // subscription is set up (after its socket connects, each authenticates and replays).
  await sleep(10_000);
  const idle = await measure(replicaPids, () => sleep(IDLE_WINDOW_MS));
  console.log(
    `while they wait for the first event: ${(idle.transactions / (IDLE_WINDOW_MS / 1000)).toFixed(0)} database transactions/s, ` +
      `replicas' CPU ${((idle.replicaSeconds / (IDLE_WINDOW_MS / 1000)) * 100).toFixed(0)}% of one core`,
  );
  if (Date.now() - started > START_AFTER_MS - 1_000) console.log("  !! the events started before the idle window ended");

  await sleep(Math.max(0, started + START_AFTER_MS - Date.now()));
  const flow = await measure(replicaPids, () => Promise.allSettled(subscribers.map((s) => s.done)));
  const outcomes = await Promise.allSettled(subscribers.map((s) => s.done));
  const failed = outcomes.filter((o) => o.status === "rejected");
  const latencies: number[] = [];
  let complete = 0;
  for (const { events } of subscribers) {
    const inOrder = events.every((e, i) => e.seq === i + 1);
    const benchEvents = events.filter((e) => parseBenchEvent(e.message));
    if (inOrder && benchEvents.length === EVENTS && events.at(-1)?.message === "Succeeded") complete += 1;
    for (const event of benchEvents) latencies.push(event.receivedAt - parseBenchEvent(event.message)!.emittedAt);
  }
  console.log(`${complete} of ${SUBSCRIBERS} subscribers got all ${EVENTS} events once and in order, then the end (${failed.length} failed${failed.length ? `: ${String((failed[0] as PromiseRejectedResult).reason)}` : ""})`);
  console.log(`latency from emit to delivery over ${latencies.length} deliveries: ${summary(latencies)}`);
  console.log(
    `CPU while the events flowed (${(flow.seconds).toFixed(1)} s): replicas ${flow.replicaSeconds.toFixed(1)} s = ${((flow.replicaSeconds * 1e6) / latencies.length).toFixed(0)} µs per delivery; ` +
      `the subscribers (this process) ${flow.benchSeconds.toFixed(1)} s = ${((flow.benchSeconds * 1e6) / latencies.length).toFixed(0)} µs per delivery`,
  );
  console.log(`replicas' RSS after: ${rss()}`);
  await Promise.all(subscribers.map((s) => s.client.dispose()));
} finally {
  await target.close();
}
process.exit(0);

/** Replicas' and this process's CPU seconds, and database transactions, while `during` runs. */
async function measure(pids: number[], during: () => Promise<unknown>) {
  const started = Date.now();
  const before = { replicas: pids.map(cpuSeconds), bench: process.cpuUsage(), transactions: await transactions(target.cluster!.databaseUrl) };
  await during();
  const bench = process.cpuUsage(before.bench);
  return {
    seconds: (Date.now() - started) / 1000,
    replicaSeconds: pids.map((pid, i) => cpuSeconds(pid) - before.replicas[i]!).reduce((a, b) => a + b, 0),
    benchSeconds: (bench.user + bench.system) / 1e6,
    transactions: (await transactions(target.cluster!.databaseUrl)) - before.transactions,
  };
}

/** CPU time a process has used so far (user + system), in seconds (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function transactions(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>("SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()");
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}
