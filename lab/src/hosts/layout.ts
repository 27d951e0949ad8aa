// Names, addresses and paths of the lab and its hosts. Pure: nothing here touches the machine.

import { join } from 'node:path';

export interface LabConfig {
  /** Where the lab keeps everything on disk. */
  root: string;
  /** First three octets of the hosts' /24, e.g. "10.213.0". */
  subnet: string;
  /** The root namespace's bridge that every host's veth joins. */
  bridge: string;
  /** Prefix of network namespace names (followed by the host's slot number). */
  netnsPrefix: string;
  /** Prefix of the root-side veth names (followed by the slot; at most 15 characters in all). */
  vethPrefix: string;
  /** Prefix of the cgroup parent of each host's containers (followed by the slot). */
  cgroupPrefix: string;
  /** Comment put on every iptables rule the lab adds (root namespace and hosts). */
  ruleComment: string;
}

export const DEFAULT_LAB_CONFIG: LabConfig = {
  root: '/var/lib/slipway-lab',
  subnet: '10.213.0',
  bridge: 'slwlab-br0',
  netnsPrefix: 'slipway-lab-',
  vethPrefix: 'slwlab',
  cgroupPrefix: 'slipway-lab-',
  ruleComment: 'slipway-lab',
};

/** Slots 1..MAX_SLOT; a host's address is subnet.(10 + slot). */
export const MAX_SLOT = 200;
const HOST_OCTET_OFFSET = 10;

/** Absolute paths of the machine's programs the lab runs (docker: Debian's client, not /usr/local/bin's). */
export const BIN = {
  ip: '/usr/sbin/ip',
  iptables: '/usr/sbin/iptables',
  iptablesSave: '/usr/sbin/iptables-save',
  nsenter: '/usr/bin/nsenter',
  unshare: '/usr/bin/unshare',
  mount: '/usr/bin/mount',
  umount: '/usr/bin/umount',
  hostname: '/usr/bin/hostname',
  sleep: '/usr/bin/sleep',
  tar: '/usr/bin/tar',
  sshKeygen: '/usr/bin/ssh-keygen',
  containerd: '/usr/bin/containerd',
  dockerd: '/usr/sbin/dockerd',
  docker: '/usr/bin/docker',
  nginx: '/usr/sbin/nginx',
  sshd: '/usr/sbin/sshd',
  busybox: '/bin/busybox',
  node: '/usr/bin/node',
  ldd: '/usr/bin/ldd',
} as const;

/** Debian packages providing BIN (what scripts/install-deps.sh installs). */
export const BIN_PACKAGES: Record<keyof typeof BIN, string> = {
  ip: 'iproute2',
  iptables: 'iptables',
  iptablesSave: 'iptables',
  nsenter: 'util-linux',
  unshare: 'util-linux',
  mount: 'mount',
  umount: 'mount',
  hostname: 'hostname',
  sleep: 'coreutils',
  tar: 'tar',
  sshKeygen: 'openssh-client',
  containerd: 'containerd',
  dockerd: 'docker.io',
  docker: 'docker.io',
  nginx: 'nginx',
  sshd: 'openssh-server',
  busybox: 'busybox-static',
  node: 'nodejs (the machine\'s Node.js)',
  ldd: 'libc-bin',
};

/**
 * The production paths each host sees privately (bind-mounted from its own folder). The host's
 * folder mirrors them: <hostDir>/fs/etc/nginx is the host's /etc/nginx, and so on.
 */
export const HOST_BIND_PATHS = [
  '/etc/nginx',
  '/etc/ssh',
  '/etc/docker',
  '/etc/containerd',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/var/lib/nginx',
  '/var/log/nginx',
  '/run',
  '/root',
  '/opt',
  '/tmp',
] as const;

/** Paths captured into a snapshot image (relative to the host's fs; not Docker's data). */
export const CAPTURED_PATHS = ['etc/nginx', 'etc/ssh', 'etc/docker', 'etc/containerd', 'opt', 'root', 'var/log/nginx'] as const;

/** Mount points the binds need on the machine (empty folders; Debian's packages make them on first start). */
export const MACHINE_MOUNT_POINTS = ['/var/lib/docker', '/var/lib/containerd'] as const;

/** Members left out of a snapshot: host keys are per host (regenerated at every boot). */
export const CAPTURE_EXCLUDES = ['etc/ssh/ssh_host_*'] as const;

const HOST_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;
const IMAGE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Host names follow DigitalOcean's droplet names (letters, digits, dots, hyphens). */
export function validateHostName(name: string): void {
  if (!HOST_NAME_RE.test(name)) {
    throw new Error(`invalid lab host name ${JSON.stringify(name)}: use 1-63 letters, digits, dots and hyphens`);
  }
}

export function validateImageId(id: string): void {
  if (!IMAGE_ID_RE.test(id)) {
    throw new Error(`invalid image id ${JSON.stringify(id)}: use 1-128 letters, digits, dots, underscores and hyphens`);
  }
}

export function validateSlot(slot: number): void {
  if (!Number.isInteger(slot) || slot < 1 || slot > MAX_SLOT) throw new Error(`invalid slot ${slot}`);
}

export interface HostNaming {
  name: string;
  slot: number;
  ipv4: string;
  netns: string;
  netnsPath: string;
  veth: string;
  /** The host's eth0 MAC, fixed per slot so neighbours' ARP caches stay right when a slot is reused. */
  mac: string;
  cgroupParent: string;
  dir: string;
  fs: string;
  logs: string;
  stateFile: string;
}

export function gatewayIp(cfg: LabConfig): string {
  return `${cfg.subnet}.1`;
}

export function hostIp(cfg: LabConfig, slot: number): string {
  validateSlot(slot);
  return `${cfg.subnet}.${HOST_OCTET_OFFSET + slot}`;
}

export function hostsDir(cfg: LabConfig): string {
  return join(cfg.root, 'hosts');
}

export function imagesDir(cfg: LabConfig): string {
  return join(cfg.root, 'images');
}

export function snapshotsDir(cfg: LabConfig): string {
  return join(cfg.root, 'snapshots');
}

export function hostNaming(cfg: LabConfig, name: string, slot: number): HostNaming {
  validateHostName(name);
  validateSlot(slot);
  const dir = join(hostsDir(cfg), name);
  const netns = `${cfg.netnsPrefix}${slot}`;
  const veth = `${cfg.vethPrefix}${slot}`;
  if (veth.length > 15) throw new Error(`veth name ${veth} is longer than 15 characters`);
  return {
    name,
    slot,
    ipv4: hostIp(cfg, slot),
    netns,
    netnsPath: `/var/run/netns/${netns}`,
    veth,
    mac: `02:73:6c:77:00:${slot.toString(16).padStart(2, '0')}`,
    cgroupParent: `/${cfg.cgroupPrefix}${slot}`,
    dir,
    fs: join(dir, 'fs'),
    logs: join(dir, 'logs'),
    stateFile: join(dir, 'host.json'),
  };
}

/** The host's folder behind a production path: hostFsPath(h, '/etc/nginx') = <fs>/etc/nginx. */
export function hostFsPath(h: Pick<HostNaming, 'fs'>, productionPath: string): string {
  return join(h.fs, productionPath);
}

/** Smallest slot not in use. */
export function pickSlot(used: Iterable<number>): number {
  const taken = new Set(used);
  for (let s = 1; s <= MAX_SLOT; s++) if (!taken.has(s)) return s;
  throw new Error(`no free lab slot (all ${MAX_SLOT} in use)`);
}
