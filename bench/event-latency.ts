// 6. Progress event latency: from a line on the server to a subscriber of the operation's events
// (goal p99 <= 100 ms). The deployed archive's build prints its wall-clock time (µs, from
// adjtimex) every 20 ms for a few seconds; each of those lines travels as a deploy's progress
// does: Docker -> agent -> SSH tunnel -> control plane (stored, then published) -> GraphQL
// subscription over WebSocket. Lab hosts share this machine's clock, so the subscriber's receive
// time minus the printed time is the line's whole trip. Also prints the latency from storing an
// event to the subscriber, for every event of the deploy.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { tarGz } from "../server/test/fixtures/sources/archives.js";
import { deployArchive, follow } from "../server/test/e2e-support.js";
import { createService, setUp } from "./support.js";

const TICKS = 150;
// adjtimex's tv_usec holds nanoseconds when the clock's status has STA_NANO (0x2000, 8192) set.
const bench = await setUp("latency", 1, {});
try {
  const serviceId = await createService(bench, "bench", "web");
  const ticker = `for i in $(seq 1 ${TICKS}); do adjtimex | awk '/tv_sec/{s=$2}/tv_usec/{u=$2}/status/{st=$2}END{if (and(st, 8192)) u=int(u/1000); printf "tick %d%06d\\n", s, u}'; usleep 20000; done`;
  const archive = tarGz([
    {
      path: "Dockerfile",
      // A fresh nonce: the ticker step must run, not come from an earlier run's build cache.
      body: `FROM slipway-lab/busybox:latest\nRUN echo ${randomUUID()} > /nonce\nRUN ${ticker}\nRUN mkdir /www && echo latency > /www/index.html\nCMD ["httpd", "-f", "-p", "7000", "-h", "/www"]\n`,
    },
  ]);
  const started = await deployArchive(bench.server, serviceId, archive, "latency.tar.gz", bench.hosts.map((h) => h.id));
  if (started.__typename !== "MutationDeploySuccess") throw new Error(JSON.stringify(started));

  const lineLatencies: number[] = [];
  const arrivals: { seq: number; at: number }[] = [];
  // performance.now() is relative to this process's start; Date.now() gives the wall clock.
  const wallOffset = Date.now() - performance.now();
  const events = await follow(bench.server, started.data!.operation.id, (event) => {
    const at = performance.now() + wallOffset;
    arrivals.push({ seq: event.seq, at });
    const tick = /^tick (\d{16})$/.exec(event.message.trim());
    if (tick) lineLatencies.push(at - Number(tick[1]) / 1000);
  });
  if (events.at(-1)?.message !== "Succeeded") throw new Error(`deploy failed: ${JSON.stringify(events.at(-1))}`);

  // When each event was stored, from the API (createdAt has ms precision).
  const stored = await bench.server.gql(
    `query($id: ID!) { node(id: $id) { ... on Operation { events(first: 1000) { seq createdAt } } } }`,
    { id: started.data!.operation.id },
    bench.server.adminToken,
  );
  const storedAt = new Map<number, number>((stored.data.node.events as { seq: number; createdAt: string }[]).map((e) => [e.seq, Date.parse(e.createdAt)]));
  const storeLatencies = arrivals.flatMap(({ seq, at }) => (storedAt.has(seq) ? [at - storedAt.get(seq)!] : []));

  const pct = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  };
  const line = (name: string, values: number[]) =>
    `${name}: ${values.length} events, p50 ${pct(values, 50).toFixed(1)} ms, p99 ${pct(values, 99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`;
  console.log(line("stored -> subscriber (every event of the deploy)", storeLatencies));
  console.log(`\nPROGRESS EVENT LATENCY, server line -> subscriber: ${line("build lines", lineLatencies)} (goal p99 <= 100 ms)`);
} finally {
  await bench.close();
}
