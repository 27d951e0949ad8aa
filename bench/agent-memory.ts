// 5. The agent's resident memory when idle (target <= 60 MB): right after it was installed, and
// idle again after it built nothing but released, pulled and listed images (a deploy).
import { readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createService, deployImage, setUp } from "./support.js";

const bench = await setUp("agentmem", 1, { v1: "memory-v1", v2: "memory-v2" });
try {
  const host = bench.hosts[0]!;
  const pidFile = path.join(bench.lab.host(host.lab).fs, "run/slipway-agent.pid");
  const memory = () => {
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) / 1024;
    return { pid, rss: field("VmRSS"), peak: field("VmHWM"), anon: field("RssAnon"), file: field("RssFile") };
  };
  await sleep(5_000);
  const fresh = memory();
  console.log(`agent pid ${fresh.pid}, idle after install: RSS ${fresh.rss.toFixed(1)} MB = ${fresh.anon.toFixed(1)} anonymous (heap, stacks) + ${fresh.file.toFixed(1)} file-backed (the node binary's pages); peak so far ${fresh.peak.toFixed(1)} MB`);
  const serviceId = await createService(bench, "bench", "web");
  for (const tag of ["v1", "v2"]) await (await deployImage(bench, serviceId, bench.images[tag]!)).done;
  await sleep(10_000);
  const after = memory();
  console.log(`idle 10 s after two deploys: RSS ${after.rss.toFixed(1)} MB = ${after.anon.toFixed(1)} anonymous + ${after.file.toFixed(1)} file-backed; peak ${after.peak.toFixed(1)} MB`);
  console.log(`\nAGENT IDLE RSS: ${fresh.rss.toFixed(1)} MB after install, ${after.rss.toFixed(1)} MB after deploys (target <= 60 MB)`);
} finally {
  await bench.close();
}
