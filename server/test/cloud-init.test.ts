// The cloud-init builders are pure: tested by exact output, and the output is checked with
// Debian's own `cloud-init schema` (apt-get install cloud-init). Without it these tests fail.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "../src/domain/errors.js";
import {
  buildServerCloudConfig, buildSnapshotCloudConfig, NGINX_CONF, renderCloudConfig, type CloudConfig,
} from "../src/domain/provisioning/cloud-init.js";

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "slipway-cloud-init-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs `cloud-init schema --config-file` on the user data; resolves its output, rejects when invalid. */
async function cloudInitSchema(userData: string, name = "user-data.yaml"): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, userData);
  try {
    const { stdout, stderr } = await run("cloud-init", ["schema", "--config-file", file]);
    return `${stdout}${stderr}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new Error("cloud-init is not installed: apt-get install -y cloud-init");
    throw error;
  }
}

const TARBALL = { kind: "tarball" as const, url: "https://nodejs.org/dist/v20.20.2/node-v20.20.2-linux-x64.tar.xz", sha256: "a".repeat(64) };
const AGENT_CONFIG = { port: 7777, tokenSha256: "b".repeat(64), dockerSocket: "/var/run/docker.sock", nginxDir: "/etc/nginx" };
const HOST_KEY = {
  privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\nBBBB\n-----END OPENSSH PRIVATE KEY-----\n",
  publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB slipway-host",
};

describe("snapshot cloud-init", () => {
  it("renders exactly this user data", () => {
    expect(renderCloudConfig(buildSnapshotCloudConfig({ node: TARBALL, agentConfig: AGENT_CONFIG }))).toBe(`#cloud-config
package_update: true
package_upgrade: false
packages:
  - docker.io
  - nginx
  - ca-certificates
  - curl
  - xz-utils
write_files:
  - path: /etc/docker/daemon.json
    content: |
      {
        "log-driver": "json-file",
        "log-opts": {
          "max-size": "10m",
          "max-file": "5"
        }
      }
    permissions: "0644"
    owner: root:root
  - path: /etc/nginx/nginx.conf
    content: |
      user www-data;
      worker_processes auto;
      pid /run/nginx.pid;
      error_log /var/log/nginx/error.log;
      include /etc/nginx/modules-enabled/*.conf;

      events {
          worker_connections 768;
      }

      http {
          sendfile on;
          tcp_nopush on;
          types_hash_max_size 2048;
          server_tokens off;
          server_names_hash_bucket_size 128;

          include /etc/nginx/mime.types;
          default_type application/octet-stream;

          ssl_protocols TLSv1.2 TLSv1.3;
          ssl_prefer_server_ciphers on;

          access_log /var/log/nginx/access.log;

          gzip on;

          include /etc/nginx/conf.d/*.conf;
          include /etc/nginx/sites-enabled/*;
      }
    permissions: "0644"
    owner: root:root
    defer: true
  - path: /etc/nginx/sites-available/default
    content: |
      server {
          listen 80 default_server;
          listen [::]:80 default_server;
          server_name _;

          location / {
              return 404;
          }
      }
    permissions: "0644"
    owner: root:root
    defer: true
  - path: /opt/slipway/bin/slipway-agent
    content: |
      #!/bin/sh
      exec node --max-semi-space-size=1 --max-old-space-size=64 /opt/slipway/agent/slipway-agent.mjs "$@"
    permissions: "0755"
    owner: root:root
    defer: true
  - path: /etc/systemd/system/slipway-agent.service
    content: |
      [Unit]
      Description=Slipway agent
      After=network-online.target docker.service nginx.service
      Wants=network-online.target

      [Service]
      Type=simple
      ExecStart=/opt/slipway/bin/slipway-agent
      Restart=always
      RestartSec=2

      [Install]
      WantedBy=multi-user.target
    permissions: "0644"
    owner: root:root
    defer: true
  - path: /opt/slipway/agent.json
    content: |
      {
        "port": 7777,
        "tokenSha256": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "dockerSocket": "/var/run/docker.sock",
        "nginxDir": "/etc/nginx"
      }
    permissions: "0600"
    owner: root:root
    defer: true
runcmd:
  - - install
    - -d
    - -m
    - "0755"
    - /opt/slipway
    - /opt/slipway/agent
    - /opt/slipway/bin
    - /opt/slipway/log
  - - sh
    - -ec
    - |-
      curl -fsSL --retry 5 --proto =https -o "$2" "$1"
      echo "$3  $2" | sha256sum --check --strict -
      tar -xJf "$2" -C /usr/local --strip-components=1 --no-same-owner --exclude=CHANGELOG.md --exclude=LICENSE --exclude=README.md
      rm -f "$2"
    - install-node
    - https://nodejs.org/dist/v20.20.2/node-v20.20.2-linux-x64.tar.xz
    - /tmp/slipway-node.tar.xz
    - aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
  - - systemctl
    - enable
    - docker.service
    - nginx.service
  - - nginx
    - -t
  - - systemctl
    - reload-or-restart
    - nginx.service
  - - systemctl
    - daemon-reload
  - - systemctl
    - enable
    - slipway-agent.service
final_message: "Slipway: cloud-init finished after $UPTIME seconds"
`);
  });

  it("sets server_names_hash_bucket_size 128 inside nginx's http block", () => {
    const http = /\nhttp \{\n([\s\S]*?)\n\}\n/.exec(NGINX_CONF)?.[1];
    expect(http).toContain("    server_names_hash_bucket_size 128;\n");
  });

  it("installs node from Debian's package when asked, and leaves the agent's configuration to the bootstrap", () => {
    const config = buildSnapshotCloudConfig({ node: { kind: "apt", package: "nodejs" } });
    expect(config.packages).toEqual(["docker.io", "nginx", "ca-certificates", "curl", "nodejs"]);
    expect(config.write_files!.map((f) => [f.path, f.permissions, f.defer ?? false])).toEqual([
      ["/etc/docker/daemon.json", "0644", false],
      ["/etc/nginx/nginx.conf", "0644", true],
      ["/etc/nginx/sites-available/default", "0644", true],
      ["/opt/slipway/bin/slipway-agent", "0755", true],
      ["/etc/systemd/system/slipway-agent.service", "0644", true],
    ]);
    expect(config.runcmd).toEqual([
      ["install", "-d", "-m", "0755", "/opt/slipway", "/opt/slipway/agent", "/opt/slipway/bin", "/opt/slipway/log"],
      ["systemctl", "enable", "docker.service", "nginx.service"],
      ["nginx", "-t"],
      ["systemctl", "reload-or-restart", "nginx.service"],
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "slipway-agent.service"],
    ]);
  });

  it("refuses a node source it cannot check", () => {
    const bad = [
      { kind: "tarball" as const, url: "http://nodejs.org/dist/node.tar.xz", sha256: "a".repeat(64) },
      { kind: "tarball" as const, url: "https://nodejs.org/dist/node.tar.xz; rm -rf /", sha256: "a".repeat(64) },
      { kind: "tarball" as const, url: "https://nodejs.org/dist/node.tar.xz", sha256: "A".repeat(64) },
      { kind: "apt" as const, package: "nodejs --allow-unauthenticated" },
    ];
    for (const node of bad) expect(() => buildSnapshotCloudConfig({ node })).toThrow(ValidationError);
  });

  it("is valid for cloud-init's schema, in both variants", async () => {
    for (const [i, input] of [{ node: TARBALL, agentConfig: AGENT_CONFIG }, { node: { kind: "apt" as const, package: "nodejs" } }].entries()) {
      const output = await cloudInitSchema(renderCloudConfig(buildSnapshotCloudConfig(input)), `snapshot-${i}.yaml`);
      expect(output).toContain("Valid cloud-config:");
    }
  });
});

describe("server cloud-init", () => {
  it("renders exactly this user data with a host key made by the control plane", () => {
    expect(renderCloudConfig(buildServerCloudConfig({ sshHostKey: HOST_KEY }))).toBe(`#cloud-config
ssh_deletekeys: true
ssh_keys:
  ed25519_private: |
    -----BEGIN OPENSSH PRIVATE KEY-----
    AAAA
    BBBB
    -----END OPENSSH PRIVATE KEY-----
  ed25519_public: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB slipway-host
final_message: "Slipway: cloud-init finished after $UPTIME seconds"
`);
  });

  it("needs nothing when no host key is given", () => {
    expect(renderCloudConfig(buildServerCloudConfig({}))).toBe('#cloud-config\nfinal_message: "Slipway: cloud-init finished after $UPTIME seconds"\n');
  });

  it("refuses a host key that is not an OpenSSH ed25519 key", () => {
    expect(() => buildServerCloudConfig({ sshHostKey: { ...HOST_KEY, privateKey: "not a key" } })).toThrow(ValidationError);
    expect(() => buildServerCloudConfig({ sshHostKey: { ...HOST_KEY, publicKey: "ssh-rsa AAAA" } })).toThrow(ValidationError);
  });

  it("is valid for cloud-init's schema", async () => {
    for (const [i, config] of [buildServerCloudConfig({ sshHostKey: HOST_KEY }), buildServerCloudConfig({})].entries()) {
      expect(await cloudInitSchema(renderCloudConfig(config), `server-${i}.yaml`)).toContain("Valid cloud-config:");
    }
  });
});

describe("the schema check itself", () => {
  it("rejects broken user data, so the checks above mean something", async () => {
    const broken: CloudConfig = { write_files: [{ path: "/x", content: "x", permissions: 420 as unknown as string }] };
    await expect(cloudInitSchema(renderCloudConfig(broken), "broken.yaml")).rejects.toThrow(/permissions: 420 is not of type 'string'/);
  });

  it("refuses user data DigitalOcean would not accept", () => {
    const huge: CloudConfig = { write_files: [{ path: "/big", content: "x".repeat(70_000), permissions: "0644" }] };
    expect(() => renderCloudConfig(huge)).toThrow("DigitalOcean allows 65536");
  });
});
