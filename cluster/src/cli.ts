// `npm run cluster`: starts a local cluster, prints what it started, stops all of it on Ctrl-C.
// Run as `node --import tsx`, not through the tsx CLI: its signal relay SIGKILLs a child that has
// not acknowledged a Ctrl-C within 30 ms (easily missed on a loaded machine), cutting the stop short.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster, type Cluster } from "./cluster.js";
import { parseClusterOptions, USAGE, UsageError, type ClusterOptions } from "./options.js";
import { findPrograms } from "./requirements.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

let options: ClusterOptions;
try {
  const parsed = parseClusterOptions(process.argv.slice(2), process.env, repoRoot);
  if (parsed === "help") {
    console.log(USAGE);
    process.exit(0);
  }
  options = parsed;
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`npm run cluster: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}

const aborted = new AbortController();
let cluster: Cluster | undefined;
let stopping = false;
const stop = () => {
  // Ctrl-C reaches npm and tsx too, which pass it on: one stop, however many copies arrive.
  if (stopping) return;
  stopping = true;
  if (!cluster) {
    console.log("\nstopping what started so far...");
    aborted.abort(new Error("interrupted"));
    return;
  }
  console.log("\nstopping the cluster (the replicas let running operations finish first)...");
  cluster.stop().then(
    () => {
      console.log("stopped; the data stays in", cluster!.layout.dataDir);
      process.exit(0);
    },
    (error: unknown) => {
      console.error("could not stop cleanly:", error);
      process.exit(1);
    },
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

try {
  cluster = await startCluster(options, {
    programs: findPrograms(repoRoot),
    signal: aborted.signal,
    progress: (line) => console.log(`starting ${line}`),
    onUnexpectedExit: (name, how, logPath) => console.error(`\n${name} exited (${how}); its log: ${logPath}`),
  });
} catch (error) {
  if (aborted.signal.aborted) {
    console.log("stopped");
    process.exit(130);
  }
  console.error(`\n${(error as Error).message}`);
  process.exit(1);
}

// npm runs this in the workspace's folder; paths are shown from where `npm run cluster` was typed.
const shown = (p: string) => {
  const relative = path.relative(process.env.INIT_CWD ?? process.cwd(), p);
  return relative && !relative.startsWith("..") ? relative : p;
};
console.log(`
Slipway cluster is running. Data: ${cluster.layout.dataDir}

  API (nginx, load-balanced)  ${cluster.apiUrl}  (WebSocket on the same address)
  console                     ${cluster.consoleUrl ?? "not started (--no-console)"}
  API replicas                ${cluster.replicaUrls.join("  ")}
  PostgreSQL                  127.0.0.1:${options.postgresPort}, data in ${shown(cluster.layout.postgres.pgdata)}
  Redis                       127.0.0.1:${options.redisPort}
  logs                        ${shown(cluster.layout.logDir)}/
`);
if (cluster.setupToken) {
  console.log(`No admin exists yet. Open ${cluster.consoleUrl ?? "the console"}/setup and use this one-time setup token:\n\n    ${cluster.setupToken}\n`);
}
console.log("Ctrl-C stops all of it.");
