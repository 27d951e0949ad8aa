// Runs every benchmark one after another (each boots and destroys its own lab hosts).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const benches = ["deploy-overhead", "rollback", "fan-out", "load", "agent-memory", "event-latency", "autoscale"];
let failed = 0;
for (const name of benches) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(here, `${name}.ts`)], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
