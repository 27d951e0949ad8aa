// Every command the lab runs, built as plain data (argv arrays) by pure functions. The executor
// in ../exec.ts runs them; tests compare these builders' output exactly.

import type { Command, DaemonCommand } from '../exec.js';
import { BIN, cutOffRuleComment, gatewayIp, labMatchers, type HostNaming, type LabConfig } from './layout.js';

const SHORT = 15_000;

function cmd(argv: string[], extra: Omit<Command, 'argv'> = {}): Command {
  return { argv, timeoutMs: SHORT, ...extra };
}

// ---------------------------------------------------------------------------------------------
// Root namespace network: one bridge holding the gateway address; every host's veth joins it.

/** Exit 0 when the link exists, 1 when it does not. */
export function linkShow(name: string): Command {
  return cmd([BIN.ip, '-j', 'link', 'show', 'dev', name], { okExitCodes: [0, 1] });
}

export function bridgeCreate(cfg: LabConfig): Command {
  return cmd([BIN.ip, 'link', 'add', cfg.bridge, 'type', 'bridge']);
}

/** `addr replace` is idempotent. */
export function bridgeAddress(cfg: LabConfig): Command {
  return cmd([BIN.ip, 'addr', 'replace', `${gatewayIp(cfg)}/24`, 'dev', cfg.bridge]);
}

export function linkUp(name: string): Command {
  return cmd([BIN.ip, 'link', 'set', name, 'up']);
}

/** Deletes a link; exit 1 (no such device) is fine. */
export function linkDelete(name: string): Command {
  return cmd([BIN.ip, 'link', 'del', name], { okExitCodes: [0, 1] });
}

/** All links, as JSON. */
export function linkList(): Command {
  return cmd([BIN.ip, '-j', 'link', 'show']);
}

/** The machine's default route, as JSON (its `dev` is the uplink hosts' traffic leaves by). */
export function defaultRouteShow(): Command {
  return cmd([BIN.ip, '-j', '-4', 'route', 'show', 'default']);
}

/** The interface of the first default route in `ip -j route show default` output, or null. */
export function parseUplink(json: string): string | null {
  const routes = JSON.parse(json || '[]') as { dev?: string }[];
  return routes.find((r) => r.dev)?.dev ?? null;
}

/** The sysctl file that turns IPv4 forwarding on for packets arriving on one interface. */
export function forwardingSysctl(iface: string): string {
  return `/proc/sys/net/ipv4/conf/${iface}/forwarding`;
}

/**
 * The instance's forwarding chain, as iptables-restore input that replaces the chain at once
 * (with --noflush, declaring a chain empties it): hosts talk to each other through the bridge;
 * with an uplink, they reach out through it and its answers come back; anything else crossing
 * the bridge (another instance's hosts, say) is dropped.
 */
export function labChainRestoreInput(cfg: LabConfig, uplink: string | null): string {
  const c = ['-m', 'comment', '--comment', cfg.ruleComment];
  const rules = [
    ['-i', cfg.bridge, '-o', cfg.bridge, ...c, '-j', 'ACCEPT'],
    ...(uplink
      ? [
          ['-i', cfg.bridge, '-o', uplink, ...c, '-j', 'ACCEPT'],
          ['-i', uplink, '-o', cfg.bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...c, '-j', 'ACCEPT'],
        ]
      : []),
    [...c, '-j', 'DROP'],
  ];
  return ['*filter', `:${cfg.chain} - [0:0]`, ...rules.map((r) => `-A ${cfg.chain} ${r.join(' ')}`), 'COMMIT', ''].join('\n');
}

export function iptablesRestoreNoflush(input: string): Command {
  return cmd([BIN.iptablesRestore, '-w', '--noflush'], { input });
}

/** The FORWARD rules sending traffic from and to the bridge into the instance's chain. */
export function chainJumpArgs(cfg: LabConfig): string[][] {
  const c = ['-m', 'comment', '--comment', cfg.ruleComment];
  return [
    ['FORWARD', '-i', cfg.bridge, ...c, '-j', cfg.chain],
    ['FORWARD', '-o', cfg.bridge, ...c, '-j', cfg.chain],
  ];
}

/** Masquerades the hosts' traffic leaving by the uplink, as a home router does. */
export function natRuleArgs(cfg: LabConfig, uplink: string): string[] {
  return ['POSTROUTING', '-s', `${cfg.subnet}.0/24`, '-o', uplink, '-m', 'comment', '--comment', cfg.ruleComment, '-j', 'MASQUERADE'];
}

/** Exit 0 when the rule exists, 1 when it does not. */
export function ruleCheck(table: 'filter' | 'nat', args: readonly string[]): Command {
  return cmd([BIN.iptables, '-w', '-t', table, '-C', ...args], { okExitCodes: [0, 1] });
}

export function ruleInsert(table: 'filter' | 'nat', args: readonly string[]): Command {
  return cmd([BIN.iptables, '-w', '-t', table, '-I', ...args]);
}

/** Empties and deletes the instance's chain (once no rule jumps to it); exit 1: it is gone already. */
export function chainDelete(cfg: LabConfig): Command[] {
  return [
    cmd([BIN.iptables, '-w', '-F', cfg.chain], { okExitCodes: [0, 1] }),
    cmd([BIN.iptables, '-w', '-X', cfg.chain], { okExitCodes: [0, 1] }),
  ];
}

/** iptables-save of the root namespace (to find leftover lab rules). */
export function iptablesSave(): Command {
  return cmd([BIN.iptablesSave]);
}

/**
 * Delete commands for every rule in iptables-save output that carries one of this lab instance's
 * comments (exactly: another instance's rules, e.g. `slipway-lab-test` next to `slipway-lab`,
 * are left alone). Pure: parses the text; "-A CHAIN rest" becomes "iptables -w -t TABLE -D CHAIN rest".
 */
export function labRuleDeletes(iptablesSaveOutput: string, cfg: LabConfig): Command[] {
  const ours = labMatchers(cfg);
  const out: Command[] = [];
  let table = 'filter';
  for (const line of iptablesSaveOutput.split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1).trim();
      continue;
    }
    if (!line.startsWith('-A ')) continue;
    const words = splitSaveLine(line);
    const ci = words.indexOf('--comment');
    const comment = ci >= 0 ? words[ci + 1] : undefined;
    if (comment === undefined || !ours.ruleComment(comment)) continue;
    out.push(cmd([BIN.iptables, '-w', '-t', table, '-D', ...words.slice(1)], { okExitCodes: [0, 1] }));
  }
  return out;
}

/** Splits an iptables-save rule line into words, honouring double quotes. */
export function splitSaveLine(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''));
  return words;
}

// ---------------------------------------------------------------------------------------------
// A host's network namespace and veth pair.

export function netnsAdd(h: HostNaming): Command {
  return cmd([BIN.ip, 'netns', 'add', h.netns]);
}

/** Deletes the namespace's name; exit 1 (no such namespace) is fine. */
export function netnsDelete(netns: string): Command {
  return cmd([BIN.ip, 'netns', 'del', netns], { okExitCodes: [0, 1] });
}

export function netnsList(): Command {
  return cmd([BIN.ip, '-j', 'netns', 'list']);
}

/** Commands wiring a fresh namespace to the bridge at the host's address. */
export function hostNetworkSetup(cfg: LabConfig, h: HostNaming): Command[] {
  return [
    cmd([BIN.ip, 'link', 'add', h.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'address', h.mac, 'netns', h.netns]),
    cmd([BIN.ip, 'link', 'set', h.veth, 'master', cfg.bridge, 'up']),
    cmd([BIN.ip, '-n', h.netns, 'link', 'set', 'lo', 'up']),
    cmd([BIN.ip, '-n', h.netns, 'addr', 'add', `${h.ipv4}/24`, 'dev', 'eth0']),
    cmd([BIN.ip, '-n', h.netns, 'link', 'set', 'eth0', 'up']),
    cmd([BIN.ip, '-n', h.netns, 'route', 'add', 'default', 'via', gatewayIp(cfg)]),
    // A stale neighbour entry for the address (an earlier host in this slot) would stall traffic.
    cmd([BIN.ip, 'neigh', 'flush', 'to', h.ipv4, 'dev', cfg.bridge], { okExitCodes: [0, 1] }),
  ];
}

// ---------------------------------------------------------------------------------------------
// The holder of a host's private mount (and UTS) namespace, and commands run inside the host.

/** The holder: `sleep infinity` in the host's network namespace, in new mount and UTS namespaces. */
export function holderDaemon(h: HostNaming): DaemonCommand {
  return {
    argv: [
      BIN.nsenter, `--net=${h.netnsPath}`, '--',
      BIN.unshare, '--mount', '--uts', '--propagation', 'private', '--',
      BIN.sleep, 'infinity',
    ],
    logPath: `${h.logs}/holder.log`,
  };
}

/** argv run in the holder's mount and UTS namespaces (the network namespace stays the caller's). */
export function inHolder(holderPid: number, argv: readonly string[]): string[] {
  return [BIN.nsenter, `--target=${holderPid}`, '--mount', '--uts', '--', ...argv];
}

/** argv run inside the host: its mount, UTS and network namespaces. */
export function inHost(h: HostNaming, holderPid: number, argv: readonly string[]): string[] {
  return [BIN.nsenter, `--target=${holderPid}`, '--mount', '--uts', `--net=${h.netnsPath}`, '--', ...argv];
}

/** Runs a host's cloud-init user data script inside it, in the background. */
export function userDataDaemon(h: HostNaming, holderPid: number, scriptPath: string): DaemonCommand {
  return { argv: inHost(h, holderPid, [scriptPath]), logPath: `${h.logs}/user-data.log` };
}

/** Lazily unmounts a path inside the holder (nsfs mounts copied from the root namespace). */
export function holderUnmount(holderPid: number, path: string): Command {
  return cmd(inHolder(holderPid, [BIN.umount, '--lazy', path]), { okExitCodes: [0, 32] });
}

/** Bind-mounts the host's folder (or file) over each production path, inside the holder. */
export function holderBindMounts(holderPid: number, binds: readonly { from: string; to: string }[]): Command[] {
  return binds.map((b) => cmd(inHolder(holderPid, [BIN.mount, '--bind', b.from, b.to])));
}

export function holderSetHostname(holderPid: number, name: string): Command {
  return cmd(inHolder(holderPid, [BIN.hostname, name]));
}

/** nsfs mount points in a /proc/PID/mountinfo text (those would keep other hosts' namespaces alive). */
export function nsfsMountPoints(mountinfo: string): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fstype = line.slice(sep + 3).split(' ')[0];
    const mountPoint = line.split(' ')[4];
    if (fstype === 'nsfs' && mountPoint) out.push(unescapeMountPath(mountPoint));
  }
  // Deepest first.
  return out.sort((a, b) => b.length - a.length);
}

function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

// ---------------------------------------------------------------------------------------------
// Files of a host: host keys, snapshots.

export function sshHostKeygen(path: string, type: string, comment: string): Command {
  return cmd([BIN.sshKeygen, '-q', '-t', type, '-N', '', '-C', comment, '-f', path]);
}

export function captureArchive(
  fsDir: string,
  archivePath: string,
  paths: readonly string[],
  excludes: readonly string[],
): Command {
  return cmd(
    [
      BIN.tar, '--create', '--gzip', '--numeric-owner', '--file', archivePath, '--directory', fsDir,
      ...excludes.map((e) => `--exclude=${e}`),
      '--', ...paths,
    ],
    { timeoutMs: 120_000 },
  );
}

export function restoreArchive(fsDir: string, archivePath: string): Command {
  return cmd(
    [BIN.tar, '--extract', '--gzip', '--numeric-owner', '--same-permissions', '--file', archivePath, '--directory', fsDir],
    { timeoutMs: 120_000 },
  );
}

// ---------------------------------------------------------------------------------------------
// Fault injection: a network partition drops every packet on the host's eth0 (raw table, before
// conntrack), so connections time out rather than being refused.

export function cutOffRuleArgs(cfg: LabConfig): string[][] {
  const c = cutOffRuleComment(cfg);
  return [
    ['PREROUTING', '-i', 'eth0', '-m', 'comment', '--comment', c, '-j', 'DROP'],
    ['OUTPUT', '-o', 'eth0', '-m', 'comment', '--comment', c, '-j', 'DROP'],
  ];
}

export function cutOffCommands(cfg: LabConfig, h: HostNaming): Command[] {
  return cutOffRuleArgs(cfg).map((r) =>
    cmd([BIN.nsenter, `--net=${h.netnsPath}`, '--', BIN.iptables, '-w', '-t', 'raw', '-I', ...r]),
  );
}

/** Checks whether the host is cut off: exit 0 = rule present, 1 = absent. */
export function cutOffCheck(cfg: LabConfig, h: HostNaming): Command {
  const first = cutOffRuleArgs(cfg)[0] ?? [];
  return cmd([BIN.nsenter, `--net=${h.netnsPath}`, '--', BIN.iptables, '-w', '-t', 'raw', '-C', ...first], {
    okExitCodes: [0, 1],
  });
}

/** One deletion per rule; exit 1 (no such rule) is fine, so restore is idempotent. */
export function restoreCommands(cfg: LabConfig, h: HostNaming): Command[] {
  return cutOffRuleArgs(cfg).map((r) =>
    cmd([BIN.nsenter, `--net=${h.netnsPath}`, '--', BIN.iptables, '-w', '-t', 'raw', '-D', ...r], {
      okExitCodes: [0, 1],
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Docker, from the root namespace through the host's socket.

export function dockerCli(socketPath: string, args: readonly string[], timeoutMs = 120_000): Command {
  return { argv: [BIN.docker, '-H', `unix://${socketPath}`, ...args], timeoutMs };
}

export function dockerImport(socketPath: string, tarball: string, tag: string, changes: readonly string[]): Command {
  return dockerCli(socketPath, ['import', ...changes.flatMap((c) => ['--change', c]), tarball, tag]);
}
