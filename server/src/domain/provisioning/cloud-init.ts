// cloud-init user data for Slipway's droplets, built as data by pure functions and rendered to
// `#cloud-config` YAML. The snapshot's temporary droplet gets Docker, nginx (with Slipway's
// default configuration), node and the agent's folders, shim, configuration and systemd unit;
// the agent's bundle is too big for user data (DigitalOcean allows 64 KiB) and arrives over SSH
// through the agent bootstrap, whose prerequisites this installs.
import { AGENT_CONFIG_PATH, AGENT_ROOT, AGENT_SHIM_CONTENTS, AGENT_SHIM_PATH } from "@slipway/agent/layout";
import { NGINX_CONF, NGINX_CONF_PATH, NGINX_DEFAULT_SITE, NGINX_DEFAULT_SITE_PATH } from "@slipway/host-defaults";
import { stringify } from "yaml";
import { ValidationError } from "../errors.js";
import { AGENT_UNIT_NAME, AGENT_UNIT_PATH, agentConfigFile, agentUnitFile, type AgentConfigFile } from "../servers/agent-bootstrap-plan.js";

/** DigitalOcean refuses user data larger than this. */
export const USER_DATA_MAX_BYTES = 64 * 1024;

/** Run over SSH to wait until cloud-init has finished (exits non-zero if it failed). */
export const CLOUD_INIT_WAIT_ARGV = ["cloud-init", "status", "--wait"] as const;
/** Run over SSH to learn whether cloud-init runs at all on this host ("status: not run"). */
export const CLOUD_INIT_STATUS_ARGV = ["cloud-init", "status"] as const;

export interface CloudConfigFile {
  path: string;
  content: string;
  /** Octal, as a string (cloud-init's schema wants a string). */
  permissions: string;
  owner?: string;
  /** Written in the final stage, after packages are installed (so a package does not overwrite it). */
  defer?: boolean;
}

/** The subset of cloud-config Slipway writes; keys are cloud-init's. */
export interface CloudConfig {
  package_update?: boolean;
  package_upgrade?: boolean;
  packages?: string[];
  ssh_deletekeys?: boolean;
  ssh_keys?: Record<string, string>;
  write_files?: CloudConfigFile[];
  /** Each command is an argv array (cloud-init quotes every element). */
  runcmd?: string[][];
  final_message?: string;
}

/**
 * How node (>= 20, for the agent) gets onto the server: Debian's package where the release has
 * node 20 or later, or an official release tarball checked against its SHA-256.
 */
export type NodeInstall = { kind: "apt"; package: string } | { kind: "tarball"; url: string; sha256: string };

export interface SshHostKey {
  /** OpenSSH private key (PEM-style "-----BEGIN OPENSSH PRIVATE KEY-----" block). */
  privateKey: string;
  /** "ssh-ed25519 AAAA... comment" */
  publicKey: string;
}

export interface SnapshotCloudInitInput {
  node: NodeInstall;
  /** The agent's configuration; omit to let the SSH bootstrap write it. */
  agentConfig?: AgentConfigFile;
}

export interface ServerCloudInitInput {
  /**
   * The server's SSH host key, made by the control plane: the key to pin is known before the
   * server boots, so there is no trust on first use.
   */
  sshHostKey?: SshHostKey;
}

export { NGINX_CONF, NGINX_CONF_PATH, NGINX_DEFAULT_SITE, NGINX_DEFAULT_SITE_PATH };
export const DOCKER_DAEMON_JSON_PATH = "/etc/docker/daemon.json";
const NODE_ARCHIVE = "/tmp/slipway-node.tar.xz";

/** Keeps container logs from filling the disk. */
export const DOCKER_DAEMON_JSON = `${JSON.stringify({ "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "5" } }, null, 2)}\n`;

// Downloads, checks and unpacks node in one shell so nothing is unpacked when the check fails.
// The values come in as positional parameters, never as shell text.
const INSTALL_NODE_SCRIPT = [
  'curl -fsSL --retry 5 --proto =https -o "$2" "$1"',
  'echo "$3  $2" | sha256sum --check --strict -',
  'tar -xJf "$2" -C /usr/local --strip-components=1 --no-same-owner --exclude=CHANGELOG.md --exclude=LICENSE --exclude=README.md',
  'rm -f "$2"',
].join("\n");

/** User data for the droplet a snapshot is made from. */
export function buildSnapshotCloudConfig(input: SnapshotCloudInitInput): CloudConfig {
  const node = checkNodeInstall(input.node);
  const packages = ["docker.io", "nginx", "ca-certificates", "curl"];
  if (node.kind === "apt") packages.push(node.package);
  else packages.push("xz-utils");

  const files: CloudConfigFile[] = [
    { path: DOCKER_DAEMON_JSON_PATH, content: DOCKER_DAEMON_JSON, permissions: "0644", owner: "root:root" },
    { path: NGINX_CONF_PATH, content: NGINX_CONF, permissions: "0644", owner: "root:root", defer: true },
    { path: NGINX_DEFAULT_SITE_PATH, content: NGINX_DEFAULT_SITE, permissions: "0644", owner: "root:root", defer: true },
    { path: AGENT_SHIM_PATH, content: AGENT_SHIM_CONTENTS, permissions: "0755", owner: "root:root", defer: true },
    { path: AGENT_UNIT_PATH, content: agentUnitFile(), permissions: "0644", owner: "root:root", defer: true },
  ];
  if (input.agentConfig) {
    files.push({ path: AGENT_CONFIG_PATH, content: agentConfigFile(input.agentConfig), permissions: "0600", owner: "root:root", defer: true });
  }

  const runcmd: string[][] = [
    ["install", "-d", "-m", "0755", AGENT_ROOT, `${AGENT_ROOT}/agent`, `${AGENT_ROOT}/bin`, `${AGENT_ROOT}/log`],
  ];
  if (node.kind === "tarball") runcmd.push(["sh", "-ec", INSTALL_NODE_SCRIPT, "install-node", node.url, NODE_ARCHIVE, node.sha256]);
  runcmd.push(
    ["systemctl", "enable", "docker.service", "nginx.service"],
    ["nginx", "-t"],
    ["systemctl", "reload-or-restart", "nginx.service"],
    ["systemctl", "daemon-reload"],
    // Enabled, not started: the bundle arrives over SSH and the bootstrap starts the agent.
    ["systemctl", "enable", AGENT_UNIT_NAME],
  );

  return {
    package_update: true,
    package_upgrade: false,
    packages,
    write_files: files,
    runcmd,
    final_message: "Slipway: cloud-init finished after $UPTIME seconds",
  };
}

/** User data for a server provisioned from the snapshot: everything else is in the image. */
export function buildServerCloudConfig(input: ServerCloudInitInput): CloudConfig {
  const config: CloudConfig = {};
  if (input.sshHostKey) {
    const { privateKey, publicKey } = input.sshHostKey;
    if (!/^-----BEGIN OPENSSH PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END OPENSSH PRIVATE KEY-----\n?$/.test(privateKey)) {
      throw new ValidationError("The SSH host key must be an OpenSSH private key");
    }
    if (!/^ssh-ed25519 [A-Za-z0-9+/]+={0,2}( [\x21-\x7e]+)?$/.test(publicKey.trim())) {
      throw new ValidationError("The SSH host public key must be an ssh-ed25519 key");
    }
    // Replaces the image's host keys with this one key only (given keys stop key generation).
    Object.assign(config, {
      ssh_deletekeys: true,
      ssh_keys: { ed25519_private: privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`, ed25519_public: publicKey.trim() },
    });
  }
  config.final_message = "Slipway: cloud-init finished after $UPTIME seconds";
  return config;
}

/** The user data DigitalOcean receives. */
export function renderCloudConfig(config: CloudConfig): string {
  const text = `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
  if (Buffer.byteLength(text) > USER_DATA_MAX_BYTES) {
    throw new ValidationError(`The cloud-init user data is ${Buffer.byteLength(text)} bytes; DigitalOcean allows ${USER_DATA_MAX_BYTES}`);
  }
  return text;
}

function checkNodeInstall(node: NodeInstall): NodeInstall {
  if (node.kind === "apt") {
    if (!/^[a-z0-9][a-z0-9.+-]+$/.test(node.package)) throw new ValidationError(`${JSON.stringify(node.package)} is not a Debian package name`);
    return node;
  }
  if (!/^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._~\/-]+\.tar\.xz$/.test(node.url)) {
    throw new ValidationError("The node tarball must be an https:// URL of a .tar.xz file");
  }
  if (!/^[0-9a-f]{64}$/.test(node.sha256)) throw new ValidationError("The node tarball's SHA-256 must be 64 lowercase hex digits");
  return node;
}
