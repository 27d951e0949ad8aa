// Names, addresses and paths of the lab and its hosts. Pure: nothing here touches the machine.

import { join } from 'node:path';

export interface LabConfig {
  /** The instance's name (`default`, `test`, or any name labConfigFor derived a config for). */
  name: string;
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
  /** The root namespace's iptables chain holding the instance's forwarding rules (at most 28 characters). */
  chain: string;
}

export const DEFAULT_LAB_CONFIG: LabConfig = {
  name: 'default',
  root: '/var/lib/slipway-lab',
  subnet: '10.213.0',
  bridge: 'slwlab-br0',
  netnsPrefix: 'slipway-lab-',
  vethPrefix: 'slwlab',
  cgroupPrefix: 'slipway-lab-',
  ruleComment: 'slipway-lab',
  chain: 'SLIPWAY-LAB',
};

/**
 * The lab's own test suites' instance: its own folder, subnet, bridge and names, so those suites
 * (which tear their lab down) never touch the default lab other suites and `npm run lab` use.
 * No name of one instance matches another's (see labMatchers; hosts-builders.test.ts checks it).
 */
export const TEST_LAB_CONFIG: LabConfig = {
  name: 'test',
  root: '/var/lib/slipway-lab-test',
  subnet: '10.214.0',
  bridge: 'slwtest-br0',
  netnsPrefix: 'slipway-labtest-',
  vethPrefix: 'slwtest',
  cgroupPrefix: 'slipway-labtest-',
  ruleComment: 'slipway-lab-test',
  chain: 'SLIPWAY-LABTEST',
};

/** Comment of the raw-table rules that cut a host off (inside the host's namespace). */
export function cutOffRuleComment(cfg: LabConfig): string {
  return `${cfg.ruleComment}-cutoff`;
}

/**
 * Whether a name belongs to this lab instance (and to no other: the patterns are exact, so the
 * default lab's `slipway-lab-` does not take the test instance's `slipway-labtest-1`, nor its rule
 * comment `slipway-lab` the test instance's `slipway-lab-test`). Pure.
 */
export interface LabMatchers {
  netns(name: string): boolean;
  /** The bridge or one of the hosts' root-side veths. */
  link(name: string): boolean;
  /** Top-level cgroup of a host's containers. */
  cgroup(name: string): boolean;
  /** Comment of an iptables rule the lab added. */
  ruleComment(comment: string): boolean;
  /** The instance's own iptables chain. */
  chain(name: string): boolean;
  /** Free text (a command line, a /proc/mounts line, an iptables-save line) naming any of the above or the lab's folder. */
  mentionedIn(text: string): boolean;
}

export function labMatchers(cfg: LabConfig): LabMatchers {
  const netnsRe = new RegExp(`^${escapeRe(cfg.netnsPrefix)}\\d+$`);
  const vethRe = new RegExp(`^${escapeRe(cfg.vethPrefix)}\\d+$`);
  const cgroupRe = new RegExp(`^${escapeRe(cfg.cgroupPrefix)}\\d+$`);
  const comments = [cfg.ruleComment, cutOffRuleComment(cfg)];
  // A name inside text: not preceded or followed by another name character.
  const before = '(?<![A-Za-z0-9_.-])';
  const after = '(?![A-Za-z0-9_.-])';
  const names = [
    `${escapeRe(cfg.netnsPrefix)}\\d+`,
    `${escapeRe(cfg.vethPrefix)}\\d+`,
    `${escapeRe(cfg.cgroupPrefix)}\\d+`,
    escapeRe(cfg.bridge),
    escapeRe(cfg.chain),
    ...comments.map(escapeRe),
    escapeRe(cfg.root.replace(/\/+$/, '')),
  ];
  const textRe = new RegExp(`${before}(?:${names.join('|')})${after}`);
  return {
    netns: (n) => netnsRe.test(n),
    link: (n) => n === cfg.bridge || vethRe.test(n),
    cgroup: (n) => cgroupRe.test(n),
    ruleComment: (c) => comments.includes(c),
    chain: (n) => n === cfg.chain,
    mentionedIn: (t) => textRe.test(t),
  };
}

/** A string as a literal inside a regular expression. */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Slots 1..MAX_SLOT; a host's address is subnet.(10 + slot). */
export const MAX_SLOT = 200;
const HOST_OCTET_OFFSET = 10;

/** Absolute paths of the machine's programs the lab runs (docker: Debian's client, not /usr/local/bin's). */
export const BIN = {
  ip: '/usr/sbin/ip',
  iptables: '/usr/sbin/iptables',
  iptablesSave: '/usr/sbin/iptables-save',
  iptablesRestore: '/usr/sbin/iptables-restore',
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
  aptGet: '/usr/bin/apt-get',
  dpkgDeb: '/usr/bin/dpkg-deb',
  ldconfig: '/usr/sbin/ldconfig',
  registry: '/usr/bin/docker-registry',
  npm: '/usr/lib/node_modules/npm/bin/npm-cli.js',
} as const;

/**
 * The machine's CA bundle (Debian's ca-certificates plus any local CA, e.g. of a TLS-inspecting
 * egress proxy): the lab's images trust what the machine trusts, so their builds reach what it can.
 */
export const MACHINE_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** The machine's npm, copied into the lab's node image. */
export const NPM_DIR = '/usr/lib/node_modules/npm';

/** Debian packages providing BIN (what scripts/install-deps.sh installs). */
export const BIN_PACKAGES: Record<keyof typeof BIN, string> = {
  ip: 'iproute2',
  iptables: 'iptables',
  iptablesSave: 'iptables',
  iptablesRestore: 'iptables',
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
  aptGet: 'apt',
  dpkgDeb: 'dpkg',
  ldconfig: 'libc-bin',
  registry: 'docker-registry',
  npm: 'nodejs (with npm)',
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

/** Files each host sees privately, bind-mounted from its folder (resolv.conf: nameservers it can reach). */
export const HOST_BIND_FILES = ['/etc/resolv.conf'] as const;

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

/** Where every instance's shared state lives: instance claims and the base image cache. */
export const LAB_SHARED_DIR = '/var/lib/slipway-lab.shared';

/**
 * The base image cache, shared by every instance on the machine (built once, never by a
 * teardown removed: `teardown --purge-images` does that).
 */
export function imagesDir(): string {
  return join(LAB_SHARED_DIR, 'images');
}

/** The instance's registry: its configuration, storage and log. */
export function registryDir(cfg: LabConfig): string {
  return join(cfg.root, 'registry');
}

/** Every instance's registry listens on its gateway address, on this port. */
export const REGISTRY_PORT = 5000;

export function registryAddress(cfg: LabConfig): string {
  return `${gatewayIp(cfg)}:${REGISTRY_PORT}`;
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
