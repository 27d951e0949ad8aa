// The cluster's configuration files, processes and options, built as data: exact output.
import { describe, expect, it } from "vitest";
import { nginxConfig, redisConfig } from "../src/configs.js";
import { clusterLayout } from "../src/layout.js";
import { parseClusterOptions, UsageError, type ClusterOptions } from "../src/options.js";
import { consoleSpec, initdbSpec, nginxSpec, postgresSpec, redisSpec, replicaSpec, type ClusterSecrets, type Programs } from "../src/processes.js";
import { clusterRequirements, pickPostgresBin, requirementsMessage } from "../src/requirements.js";

const layout = clusterLayout("/srv/cluster");
const programs: Programs = {
  postgresBin: "/usr/lib/postgresql/15/bin",
  redisServer: "/usr/bin/redis-server",
  nginx: "/usr/sbin/nginx",
  node: "/usr/bin/node",
  serverMain: "/repo/server/dist/main.js",
  nextCli: "/repo/node_modules/next/dist/bin/next",
  consoleDir: "/repo/console",
};
const secrets: ClusterSecrets = { postgresPassword: "pgpw", redisPassword: "redispw", secretKey: "a2V5" };
const options: ClusterOptions = {
  dataDir: "/srv/cluster",
  host: "0.0.0.0",
  port: 4000,
  consolePort: 3000,
  console: true,
  replicas: 3,
  replicaPort: 4001,
  postgresPort: 5433,
  redisPort: 6380,
};

describe("nginx in front of the replicas", () => {
  it("balances HTTP and WebSocket upgrades over every replica, with its files in the data directory", () => {
    const config = nginxConfig({
      listen: { host: "0.0.0.0", port: 4000 },
      replicas: [{ host: "127.0.0.1", port: 4001 }, { host: "127.0.0.1", port: 4002 }],
      pidFile: layout.nginx.pid,
      errorLog: layout.nginx.errorLog,
      accessLog: layout.nginx.accessLog,
      tempDir: layout.nginx.tempDir,
      workerUser: { user: "nobody", group: "nogroup" },
    });
    expect(config).toBe(`# Written by \`npm run cluster\`: the API replicas behind one address.
daemon off;
user nobody nogroup;
worker_processes 1;
worker_rlimit_nofile 16384;
pid /srv/cluster/nginx/nginx.pid;
error_log /srv/cluster/logs/nginx-error.log warn;

events {
  worker_connections 8192;
}

http {
  # Which replica served each request: requests spread over all of them.
  log_format upstream '$remote_addr [$time_local] "$request" $status $upstream_addr $request_time';
  access_log /srv/cluster/logs/nginx-access.log upstream;
  client_body_temp_path /srv/cluster/nginx/temp/client-body;
  proxy_temp_path /srv/cluster/nginx/temp/proxy;
  fastcgi_temp_path /srv/cluster/nginx/temp/fastcgi;
  uwsgi_temp_path /srv/cluster/nginx/temp/uwsgi;
  scgi_temp_path /srv/cluster/nginx/temp/scgi;

  # Upgrade when the client asks to; otherwise keep the upstream connection alive.
  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' '';
  }

  upstream slipway_api {
    server 127.0.0.1:4001;
    server 127.0.0.1:4002;
    keepalive 32;
  }

  server {
    listen 0.0.0.0:4000;
    client_max_body_size 0;

    location / {
      proxy_pass http://slipway_api;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
      proxy_request_buffering off;
      # Subscriptions stay open as long as an operation runs.
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }
  }
}
`);
  });

  it("names no worker user when it does not run as root", () => {
    const config = nginxConfig({
      listen: { host: "127.0.0.1", port: 8080 },
      replicas: [{ host: "127.0.0.1", port: 9001 }],
      pidFile: "/d/pid",
      errorLog: "/d/error.log",
      accessLog: "/d/access.log",
      tempDir: "/d/temp",
    });
    expect(config).not.toContain("user ");
    expect(config).toContain("    server 127.0.0.1:9001;\n    keepalive 32;\n");
    expect(config).toContain("    listen 127.0.0.1:8080;\n");
  });
});

describe("the cluster's processes", () => {
  it("redis-server reads its password from a file, not from argv", () => {
    expect(redisConfig({ port: 6380, dir: layout.redis.dir, password: "redispw" })).toBe(
      '# Written by `npm run cluster`.\nport 6380\nbind 127.0.0.1\nprotected-mode yes\ndir /srv/cluster/redis\nrequirepass redispw\nappendonly yes\nsave ""\ndaemonize no\nlogfile ""\n',
    );
    expect(redisSpec(layout, programs)).toEqual({
      name: "redis",
      argv: ["/usr/bin/redis-server", "/srv/cluster/redis/redis.conf"],
      stopSignal: "SIGTERM",
      stopTimeoutMs: 15_000,
    });
  });

  it("PostgreSQL: initdb with a password-protected superuser, then the server on loopback, as the postgres user", () => {
    expect(initdbSpec("/srv/cluster/postgres/data.partial", layout, programs, "postgres")).toEqual({
      name: "postgres-initdb",
      argv: [
        "/usr/lib/postgresql/15/bin/initdb",
        "--pgdata", "/srv/cluster/postgres/data.partial",
        "--username", "slipway",
        "--pwfile", "/srv/cluster/postgres/initdb-password",
        "--auth", "scram-sha-256",
        "--encoding", "UTF8",
        "--no-locale",
        "--no-instructions",
      ],
      user: "postgres",
      stopSignal: "SIGTERM",
      stopTimeoutMs: 5_000,
    });
    expect(postgresSpec(options, layout, programs, undefined)).toEqual({
      name: "postgres",
      argv: [
        "/usr/lib/postgresql/15/bin/postgres",
        "-D", "/srv/cluster/postgres/data",
        "-p", "5433",
        "-k", "/srv/cluster/postgres/run",
        "-c", "listen_addresses=127.0.0.1",
        "-c", "max_connections=200",
      ],
      user: undefined,
      stopSignal: "SIGINT",
      stopTimeoutMs: 30_000,
    });
  });

  it("replicas share the database, Redis and secret key, each on its own port and data folder", () => {
    expect(replicaSpec(2, options, layout, programs, secrets)).toEqual({
      name: "replica-2",
      argv: ["/usr/bin/node", "--enable-source-maps", "/repo/server/dist/main.js"],
      env: {
        PORT: "4002",
        HOST: "127.0.0.1",
        DATABASE_URL: "postgresql://slipway:pgpw@127.0.0.1:5433/slipway",
        SLIPWAY_REDIS_URL: "redis://:redispw@127.0.0.1:6380",
        SLIPWAY_SECRET_KEY: "a2V5",
        SLIPWAY_DATA_DIR: "/srv/cluster/replica-2",
        SLIPWAY_CONSOLE_URL: "http://localhost:3000",
        SLIPWAY_TRUSTED_PROXIES: "127.0.0.1",
      },
      stopSignal: "SIGTERM",
      stopTimeoutMs: 60_000,
    });
  });

  it("nginx runs with its own configuration and error log; the console is told the API's address only when it moved", () => {
    expect(nginxSpec(layout, programs)).toEqual({
      name: "nginx",
      argv: ["/usr/sbin/nginx", "-p", "/srv/cluster/nginx", "-c", "/srv/cluster/nginx/nginx.conf", "-e", "/srv/cluster/logs/nginx-error.log"],
      stopSignal: "SIGTERM",
      stopTimeoutMs: 10_000,
    });
    expect(consoleSpec(options, programs)).toEqual({
      name: "console",
      argv: ["/usr/bin/node", "/repo/node_modules/next/dist/bin/next", "start", "--port", "3000", "--hostname", "0.0.0.0"],
      cwd: "/repo/console",
      env: { NEXT_TELEMETRY_DISABLED: "1" },
      stopSignal: "SIGTERM",
      stopTimeoutMs: 10_000,
    });
    expect(consoleSpec({ ...options, port: 14000 }, programs).env).toEqual({
      NEXT_TELEMETRY_DISABLED: "1",
      SLIPWAY_API_URL: "http://localhost:14000/graphql",
    });
  });
});

describe("options", () => {
  it("defaults, then environment variables, then flags", () => {
    expect(parseClusterOptions([], {}, "/repo")).toEqual({ ...options, dataDir: "/repo/data/cluster" });
    expect(parseClusterOptions([], { SLIPWAY_CLUSTER_PORT: "14000", CONSOLE_PORT: "13000", SLIPWAY_CLUSTER_DATA_DIR: "/tmp/c" }, "/repo")).toMatchObject({
      port: 14000,
      consolePort: 13000,
      dataDir: "/tmp/c",
    });
    expect(
      parseClusterOptions(
        ["--port", "14100", "--replicas", "2", "--replica-port", "14101", "--postgres-port", "15433", "--redis-port", "16380", "--no-console", "--data-dir", "c"],
        { SLIPWAY_CLUSTER_PORT: "14000" },
        "/repo",
      ),
    ).toEqual({ ...options, port: 14100, replicas: 2, replicaPort: 14101, postgresPort: 15433, redisPort: 16380, console: false, dataDir: "/repo/c" });
    expect(parseClusterOptions(["--help"], {}, "/repo")).toBe("help");
  });

  it("refuses bad values and ports used twice, saying which", () => {
    const refusal = (argv: string[]) => {
      try {
        parseClusterOptions(argv, {}, "/repo");
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      return "accepted";
    };
    expect(refusal(["--port", "http"])).toBe('--port must be a port number (1-65535), not "http"');
    expect(refusal(["--replicas", "0"])).toBe('--replicas must be a whole number from 1 to 16, not "0"');
    expect(refusal(["--port", "4002"])).toBe("replica 2 (--replica-port) and --port would both use port 4002");
    expect(refusal(["--redis-port", "5433"])).toBe("--redis-port and --postgres-port would both use port 5433");
    expect(refusal(["--data-dir", "/tmp/my cluster"])).toBe("the data directory must not contain spaces, quotes or other special characters: /tmp/my cluster");
    expect(refusal(["--bogus"])).toMatch(/Unknown option '--bogus'/);
  });
});

describe("requirements", () => {
  it("takes the newest PostgreSQL that Debian installed", () => {
    expect(pickPostgresBin("/usr/lib/postgresql", ["13", "15", "9", "README"])).toBe("/usr/lib/postgresql/15/bin");
  });

  it("names every missing part with the command that provides it", () => {
    const present = new Set(["/usr/lib/postgresql/15/bin/initdb", "/usr/lib/postgresql/15/bin/postgres", "/usr/sbin/nginx"]);
    expect(requirementsMessage(clusterRequirements(programs, true), (file) => present.has(file))).toBe(
      [
        "npm run cluster cannot start; missing:",
        "  - Redis (/usr/bin/redis-server)",
        "  - the compiled API (/repo/server/dist/main.js)",
        "  - the built console (/repo/console/.next/BUILD_ID)",
        "Install Debian's packages (as root):  apt-get install -y redis-server",
        "Build:  npm run build -w @slipway/server",
        "Build:  npm run build -w @slipway/console",
      ].join("\n"),
    );
    expect(requirementsMessage(clusterRequirements(programs, false), () => true)).toBeNull();
  });
});
