// The configuration files the cluster's services read, built as text by pure functions.

export interface Address {
  host: string;
  port: number;
}

export interface LoadBalancerConfig {
  listen: Address;
  replicas: readonly Address[];
  pidFile: string;
  errorLog: string;
  accessLog: string;
  tempDir: string;
  /** The workers' user and group, when the master runs as root (nginx's built-in default group, "nobody", is not Debian's). */
  workerUser?: { user: string; group: string };
}

/**
 * nginx in front of the API replicas: round robin, no sticky sessions (any replica serves any
 * request and any subscription), WebSocket upgrades passed through, nothing buffered (uploads
 * stream to a replica, which enforces its own size limits). Every path nginx writes is in the
 * cluster's data directory; the machine's /etc/nginx is never read.
 */
export function nginxConfig(c: LoadBalancerConfig): string {
  const lines = [
    "# Written by `npm run cluster`: the API replicas behind one address.",
    "daemon off;",
    ...(c.workerUser ? [`user ${c.workerUser.user} ${c.workerUser.group};`] : []),
    "worker_processes 1;",
    "worker_rlimit_nofile 16384;",
    `pid ${c.pidFile};`,
    `error_log ${c.errorLog} warn;`,
    "",
    "events {",
    "  worker_connections 8192;",
    "}",
    "",
    "http {",
    "  # Which replica served each request: requests spread over all of them.",
    "  log_format upstream '$remote_addr [$time_local] \"$request\" $status $upstream_addr $request_time';",
    `  access_log ${c.accessLog} upstream;`,
    `  client_body_temp_path ${c.tempDir}/client-body;`,
    `  proxy_temp_path ${c.tempDir}/proxy;`,
    `  fastcgi_temp_path ${c.tempDir}/fastcgi;`,
    `  uwsgi_temp_path ${c.tempDir}/uwsgi;`,
    `  scgi_temp_path ${c.tempDir}/scgi;`,
    "",
    "  # Upgrade when the client asks to; otherwise keep the upstream connection alive.",
    "  map $http_upgrade $connection_upgrade {",
    "    default upgrade;",
    "    '' '';",
    "  }",
    "",
    "  upstream slipway_api {",
    ...c.replicas.map((r) => `    server ${r.host}:${r.port};`),
    "    keepalive 32;",
    "  }",
    "",
    "  server {",
    `    listen ${c.listen.host}:${c.listen.port};`,
    "    client_max_body_size 0;",
    "",
    "    location / {",
    "      proxy_pass http://slipway_api;",
    "      proxy_http_version 1.1;",
    "      proxy_set_header Host $http_host;",
    "      proxy_set_header Upgrade $http_upgrade;",
    "      proxy_set_header Connection $connection_upgrade;",
    "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "      proxy_set_header X-Forwarded-Proto $scheme;",
    "      proxy_buffering off;",
    "      proxy_request_buffering off;",
    "      # Subscriptions stay open as long as an operation runs.",
    "      proxy_read_timeout 1h;",
    "      proxy_send_timeout 1h;",
    "    }",
    "  }",
    "}",
  ];
  return `${lines.join("\n")}\n`;
}

export interface RedisConfig {
  port: number;
  dir: string;
  password: string;
}

/** redis-server on loopback only, with a password (kept in this 0600 file, not in argv), its queue kept on disk. */
export function redisConfig(c: RedisConfig): string {
  return [
    "# Written by `npm run cluster`.",
    `port ${c.port}`,
    "bind 127.0.0.1",
    "protected-mode yes",
    `dir ${c.dir}`,
    `requirepass ${c.password}`,
    "appendonly yes",
    'save ""',
    "daemonize no",
    'logfile ""',
    "",
  ].join("\n");
}
