// What `npm run cluster` starts and where: flags first, then environment variables, then defaults.
import path from "node:path";
import { parseArgs } from "node:util";

export interface ClusterOptions {
  /** Everything the cluster keeps: PostgreSQL's and Redis's data, generated secrets, logs, nginx's files. */
  dataDir: string;
  /** Where the load balancer and the console listen. */
  host: string;
  /** The load balancer (nginx): the API's one address. */
  port: number;
  consolePort: number;
  /** Start the console too (off for benchmarks and API-only use). */
  console: boolean;
  replicas: number;
  /** The first replica's port on 127.0.0.1; the others follow it. */
  replicaPort: number;
  postgresPort: number;
  redisPort: number;
}

export const USAGE = `npm run cluster [-- options]

Starts a local Slipway cluster: a private PostgreSQL and Redis, API replicas behind nginx, and the
console. Ctrl-C stops all of it; the data stays in the data directory for the next start.

  --data-dir DIR        data directory                 SLIPWAY_CLUSTER_DATA_DIR      (data/cluster)
  --host HOST           where nginx and the console listen                            (0.0.0.0)
  --port N              the API through nginx          SLIPWAY_CLUSTER_PORT          (4000)
  --console-port N      the console                    CONSOLE_PORT                  (3000)
  --no-console          do not start the console
  --replicas N          API replicas                   SLIPWAY_CLUSTER_REPLICAS      (3)
  --replica-port N      the first replica's port       SLIPWAY_CLUSTER_REPLICA_PORT  (4001, then 4002, ...)
  --postgres-port N     PostgreSQL                     SLIPWAY_CLUSTER_POSTGRES_PORT (5433)
  --redis-port N        Redis                          SLIPWAY_CLUSTER_REDIS_PORT    (6380)
  --help`;

/** Thrown for a bad flag or value; the message is meant for the terminal, with the usage. */
export class UsageError extends Error {}

/** Reads the options; `root` anchors the default data directory (the repository). */
export function parseClusterOptions(argv: readonly string[], env: NodeJS.ProcessEnv, root: string): ClusterOptions | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        "data-dir": { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        "console-port": { type: "string" },
        "no-console": { type: "boolean" },
        replicas: { type: "string" },
        "replica-port": { type: "string" },
        "postgres-port": { type: "string" },
        "redis-port": { type: "string" },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const flags = parsed.values;
  if (flags.help) return "help";
  const options: ClusterOptions = {
    dataDir: path.resolve(root, flags["data-dir"] ?? env.SLIPWAY_CLUSTER_DATA_DIR ?? path.join("data", "cluster")),
    host: flags.host ?? "0.0.0.0",
    port: port("--port", flags.port ?? env.SLIPWAY_CLUSTER_PORT, 4000),
    consolePort: port("--console-port", flags["console-port"] ?? env.CONSOLE_PORT, 3000),
    console: !flags["no-console"],
    replicas: count("--replicas", flags.replicas ?? env.SLIPWAY_CLUSTER_REPLICAS, 3),
    replicaPort: port("--replica-port", flags["replica-port"] ?? env.SLIPWAY_CLUSTER_REPLICA_PORT, 4001),
    postgresPort: port("--postgres-port", flags["postgres-port"] ?? env.SLIPWAY_CLUSTER_POSTGRES_PORT, 5433),
    redisPort: port("--redis-port", flags["redis-port"] ?? env.SLIPWAY_CLUSTER_REDIS_PORT, 6380),
  };
  // The path goes into nginx's and Redis's configuration files, which split words on spaces.
  if (!/^[\w./@+,:=-]+$/.test(options.dataDir)) {
    throw new UsageError(`the data directory must not contain spaces, quotes or other special characters: ${options.dataDir}`);
  }
  const used = new Map<number, string>();
  const claim = (n: number, what: string) => {
    const other = used.get(n);
    if (other) throw new UsageError(`${what} and ${other} would both use port ${n}`);
    used.set(n, what);
  };
  claim(options.port, "--port");
  if (options.console) claim(options.consolePort, "--console-port");
  claim(options.postgresPort, "--postgres-port");
  claim(options.redisPort, "--redis-port");
  for (const [i, p] of replicaPorts(options).entries()) claim(p, `replica ${i + 1} (--replica-port)`);
  return options;
}

/** Each replica's port, in order. */
export function replicaPorts(options: Pick<ClusterOptions, "replicas" | "replicaPort">): number[] {
  return Array.from({ length: options.replicas }, (_, i) => options.replicaPort + i);
}

function port(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${flag} must be a port number (1-65535), not "${value}"`);
  return n;
}

function count(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new UsageError(`${flag} must be a whole number from 1 to 16, not "${value}"`);
  return n;
}
