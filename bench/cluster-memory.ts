// Idle resident memory of one compiled replica (the product's server/dist/main.js, as `npm start`
// and `npm run cluster` run it; goal <= 200 MB): in cluster mode (three replicas on PostgreSQL +
// Redis) and in single-process mode (SQLite), 30 s after each answered. Prints figures only.
import { setTimeout as sleep } from "node:timers/promises";
import { memoryOf, startBenchCluster, startSingleProcess } from "./cluster/support.js";

const IDLE_MS = 30_000;
const figures: string[] = [];

const cluster = await startBenchCluster(3, { product: true });
try {
  await sleep(IDLE_MS);
  for (const p of cluster.cluster!.processes().filter((p) => p.spec.name.startsWith("replica"))) {
    const { rss, peak } = memoryOf(p.pid);
    console.log(`cluster mode, ${p.spec.name}: RSS ${rss.toFixed(1)} MB (peak ${peak.toFixed(1)} MB)`);
    figures.push(rss.toFixed(0));
  }
} finally {
  await cluster.close();
}

const single = await startSingleProcess({ product: true });
let singleRss = Number.NaN;
try {
  await sleep(IDLE_MS);
  const { rss, peak } = memoryOf(single.child.pid!);
  singleRss = rss;
  console.log(`single process (SQLite): RSS ${rss.toFixed(1)} MB (peak ${peak.toFixed(1)} MB)`);
} finally {
  await single.close();
}
console.log(`\nIDLE RSS of a compiled replica: ${figures.join(", ")} MB in cluster mode, ${singleRss.toFixed(0)} MB in one process (goal <= 200 MB)`);
process.exit(0);
