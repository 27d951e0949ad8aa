// Where a cluster keeps its files, inside its data directory. Pure: paths only.
import path from "node:path";

export interface ClusterLayout {
  dataDir: string;
  /** Generated once: PostgreSQL's and Redis's passwords and the replicas' SLIPWAY_SECRET_KEY (0600). */
  secretsFile: string;
  /** The processes of the running cluster, so a start after a crash can stop what was left. */
  processesFile: string;
  /** One log file per process (0700: the replicas' logs hold setup tokens). */
  logDir: string;
  postgres: {
    /** Owned by the postgres user when the cluster runs as root. */
    root: string;
    pgdata: string;
    socketDir: string;
    /** initdb reads the superuser's password from here; removed right after. */
    initPasswordFile: string;
  };
  redis: { dir: string; config: string };
  nginx: { prefix: string; config: string; pid: string; errorLog: string; accessLog: string; tempDir: string };
  /** A replica's SLIPWAY_DATA_DIR (1-based). */
  replicaDir(n: number): string;
  log(name: string): string;
}

export function clusterLayout(dataDir: string): ClusterLayout {
  const postgres = path.join(dataDir, "postgres");
  const nginx = path.join(dataDir, "nginx");
  const logDir = path.join(dataDir, "logs");
  return {
    dataDir,
    secretsFile: path.join(dataDir, "secrets.json"),
    processesFile: path.join(dataDir, "processes.json"),
    logDir,
    postgres: {
      root: postgres,
      pgdata: path.join(postgres, "data"),
      socketDir: path.join(postgres, "run"),
      initPasswordFile: path.join(postgres, "initdb-password"),
    },
    redis: { dir: path.join(dataDir, "redis"), config: path.join(dataDir, "redis", "redis.conf") },
    nginx: {
      prefix: nginx,
      config: path.join(nginx, "nginx.conf"),
      pid: path.join(nginx, "nginx.pid"),
      errorLog: path.join(logDir, "nginx-error.log"),
      accessLog: path.join(logDir, "nginx-access.log"),
      tempDir: path.join(nginx, "temp"),
    },
    replicaDir: (n) => path.join(dataDir, `replica-${n}`),
    log: (name) => path.join(logDir, `${name}.log`),
  };
}
