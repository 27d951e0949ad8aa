// 3. Fan-out: a deploy to 3 hosts divided by the same deploy to 1 host (target <= 1.5). Both are
// IMAGE deploys replacing a running release (so both drain and stop an old container).
import { createService, deployImage, median, performance, setUp, timeline, untilServed } from "./support.js";

const ROUNDS = 3;
const bodies = Object.fromEntries(Array.from({ length: ROUNDS + 1 }, (_, i) => [`f${i}`, `fan-out-${i}`]));
const bench = await setUp("fanout", 3, bodies);
try {
  const one = await createService(bench, "one", "web");
  const three = await createService(bench, "three", "web");
  const deployTo = async (serviceId: string, hostHeader: string, tag: string, hosts: typeof bench.hosts) => {
    const t0 = performance.now();
    const { done } = await deployImage(bench, serviceId, bench.images[tag]!, hosts);
    const served = await untilServed(hosts.map((h) => h.address), hostHeader, bodies[tag]!);
    const events = await done;
    if (events.at(-1)!.level === "ERROR") throw new Error(events.at(-1)!.message);
    return { served: served - t0, finished: events.at(-1)!.at - t0, timeline: timeline(events) };
  };
  // Warm-up: the first release of each service (no old container to replace).
  await deployTo(one, "web.one.slipway.internal", "f0", bench.hosts.slice(0, 1));
  await deployTo(three, "web.three.slipway.internal", "f0", bench.hosts);
  const ones: number[] = [];
  const threes: number[] = [];
  const onesServed: number[] = [];
  const threesServed: number[] = [];
  for (let i = 1; i <= ROUNDS; i++) {
    const a = await deployTo(one, "web.one.slipway.internal", `f${i}`, bench.hosts.slice(0, 1));
    const b = await deployTo(three, "web.three.slipway.internal", `f${i}`, bench.hosts);
    ones.push(a.finished);
    threes.push(b.finished);
    onesServed.push(a.served);
    threesServed.push(b.served);
    console.log(`round ${i}: 1 host ${Math.round(a.finished)} ms (served ${Math.round(a.served)} ms)  [${a.timeline}]`);
    console.log(`         3 hosts ${Math.round(b.finished)} ms (served everywhere ${Math.round(b.served)} ms)  [${b.timeline}]`);
  }
  const o = median(ones);
  const t = median(threes);
  console.log(`\nFAN-OUT (median of ${ROUNDS}): operation 1 host ${Math.round(o)} ms, 3 hosts ${Math.round(t)} ms -> ratio ${(t / o).toFixed(2)} (target <= 1.5)`);
  console.log(`  until served on every host: ${Math.round(median(onesServed))} ms vs ${Math.round(median(threesServed))} ms -> ratio ${(median(threesServed) / median(onesServed)).toFixed(2)}`);
} finally {
  await bench.close();
}
