// 2. Rollback: seconds from the rollback mutation to traffic served by the old version on one host
// (target <= 1 s), and its ratio to a fresh deploy (mutation to traffic served by the new version;
// target <= 0.3).
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
  const back = async (version: keyof typeof bodies, deploymentId: string) => {
    const t0 = performance.now();
    const started = await rollback(bench.server, deploymentId);
    if (started.__typename !== "MutationRollbackSuccess") throw new Error(JSON.stringify(started));
    const done = timed(bench, started.data!.operation.id);
    const served = await untilServed([host.address], hostHeader, bodies[version]);
    const events = await done;
    // What the agent said it did, e.g. whether it resumed the standby and how long health took.
    for (const e of events) if (e.releaseState === "STARTING" || e.releaseState === "HEALTHY") console.log(`    ${e.releaseState.toLowerCase()}: ${e.message}`);
    return { served: served - t0, finished: events.at(-1)!.at - t0, timeline: timeline(events), deploymentId: started.data!.deployment.id };
  };

  // Each round deploys a new version and then rolls it back: back to the release that ran
  // before it (the usual rollback, whose container is kept paused as the standby). A last one
  // rolls back further, to a release whose container is long gone (a container is started).
  await fresh("v1");
  let live = { version: "v1" as keyof typeof bodies, id: ids.v1! };
  const deploys: number[] = [];
  const rollbacks: number[] = [];
  for (const next of ["v2", "v3", "v4"] as const) {
    const d = await fresh(next);
    deploys.push(d.served);
    console.log(`deploy ${next}: served after ${Math.round(d.served)} ms (operation ${Math.round(d.finished)} ms)  [${d.timeline}]`);
    const r = await back(live.version, live.id);
    rollbacks.push(r.served);
    live = { version: live.version, id: r.deploymentId };
    console.log(`rollback to ${live.version}: served after ${Math.round(r.served)} ms (operation ${Math.round(r.finished)} ms)  [${r.timeline}]`);
  }
  const older = await back("v3", ids.v3!);
  console.log(`rollback to v3, two releases back (no standby): served after ${Math.round(older.served)} ms  [${older.timeline}]`);
  const r = median(rollbacks);
  const d = median(deploys);
  console.log(`\nROLLBACK (median of 3): ${(r / 1000).toFixed(2)} s from the mutation to the old version served (target <= 1 s); fresh deploy ${(d / 1000).toFixed(2)} s -> ratio ${(r / d).toFixed(2)} (target <= 0.3)`);
} finally {
  await bench.close();
}
