// 2. Rollback: seconds from the rollback mutation to traffic served by the old version on one host
// (target <= 2 s), and its ratio to a fresh deploy (mutation to traffic served by the new version).
import { rollback } from "../server/test/e2e-support.js";
import { createService, deployImage, median, performance, setUp, timed, timeline, untilServed } from "./support.js";

const bodies = { v1: "rollback-v1", v2: "rollback-v2", v3: "rollback-v3", v4: "rollback-v4" };
const bench = await setUp("rollback", 1, bodies);
try {
  const host = bench.hosts[0]!;
  const serviceId = await createService(bench, "bench", "web");
  const hostHeader = "web.bench.slipway.internal";
  const ids: Record<string, string> = {};

  const fresh = async (version: keyof typeof bodies) => {
    const t0 = performance.now();
    const { deploymentId, done } = await deployImage(bench, serviceId, bench.images[version]!);
    const served = await untilServed([host.address], hostHeader, bodies[version]);
    const events = await done;
    ids[version] = deploymentId;
    return { served: served - t0, finished: events.at(-1)!.at - t0, timeline: timeline(events) };
  };
  const back = async (version: keyof typeof bodies) => {
    const t0 = performance.now();
    const started = await rollback(bench.server, ids[version]!);
    if (started.__typename !== "MutationRollbackSuccess") throw new Error(JSON.stringify(started));
    const done = timed(bench, started.data!.operation.id);
    const served = await untilServed([host.address], hostHeader, bodies[version]);
    const events = await done;
    return { served: served - t0, finished: events.at(-1)!.at - t0, timeline: timeline(events) };
  };

  await fresh("v1");
  const deploys: number[] = [];
  const rollbacks: number[] = [];
  for (const [deploy, to] of [["v2", "v1"], ["v3", "v2"], ["v4", "v3"]] as const) {
    const d = await fresh(deploy);
    deploys.push(d.served);
    console.log(`deploy ${deploy}: served after ${Math.round(d.served)} ms (operation ${Math.round(d.finished)} ms)  [${d.timeline}]`);
    const r = await back(to);
    rollbacks.push(r.served);
    console.log(`rollback to ${to}: served after ${Math.round(r.served)} ms (operation ${Math.round(r.finished)} ms)  [${r.timeline}]`);
  }
  const r = median(rollbacks);
  const d = median(deploys);
  console.log(`\nROLLBACK (median of 3): ${(r / 1000).toFixed(2)} s from the mutation to the old version served (target <= 2 s); fresh deploy ${(d / 1000).toFixed(2)} s -> ratio ${(r / d).toFixed(2)}`);
} finally {
  await bench.close();
}
