// 4. Failed requests while a deploy and then a rollback run under continuous load (target 0): one
// request loop per host (a new connection per request) on 3 hosts, through nginx by Host header.
import { rollback, startLoad } from "../server/test/e2e-support.js";
import { createService, deployImage, performance, setUp, timed, untilServed } from "./support.js";

const bodies = { v1: "load-v1", v2: "load-v2" };
const bench = await setUp("load", 3, bodies);
try {
  const serviceId = await createService(bench, "bench", "web");
  const hostHeader = "web.bench.slipway.internal";
  const addresses = bench.hosts.map((h) => h.address);
  const first = await deployImage(bench, serviceId, bench.images.v1!);
  await first.done;
  await untilServed(addresses, hostHeader, bodies.v1);

  const known = new Set(Object.values(bodies));
  const load = startLoad(addresses, hostHeader, (body) => known.has(body.trim()));
  const t0 = performance.now();
  const second = await deployImage(bench, serviceId, bench.images.v2!);
  await second.done;
  await untilServed(addresses, hostHeader, bodies.v2);
  const deployReport = await load.stop();
  const t1 = performance.now();

  const load2 = startLoad(addresses, hostHeader, (body) => known.has(body.trim()));
  const rolled = await rollback(bench.server, first.deploymentId);
  if (rolled.__typename !== "MutationRollbackSuccess") throw new Error(JSON.stringify(rolled));
  await timed(bench, rolled.data!.operation.id);
  await untilServed(addresses, hostHeader, bodies.v1);
  const rollbackReport = await load2.stop();
  const t2 = performance.now();

  const line = (what: string, r: typeof deployReport, elapsed: number) =>
    `${what}: ${r.requests} requests in ${(elapsed / 1000).toFixed(1)} s, ${r.failed} failed; answers ${JSON.stringify(r.bodies)}${r.failures.length ? `; failures: ${r.failures.join(" | ")}` : ""}`;
  console.log(line("deploy v1 -> v2", deployReport, t1 - t0));
  console.log(line("rollback v2 -> v1", rollbackReport, t2 - t1));
  console.log(`\nFAILED REQUESTS UNDER LOAD: ${deployReport.failed + rollbackReport.failed} of ${deployReport.requests + rollbackReport.requests} (target 0)`);
} finally {
  await bench.close();
}
