// Helpers for the lab host tests: SSH with ssh2, plain TCP/HTTP probes, leftover inspection.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import ssh2 from 'ssh2';
import { TEST_LAB_CONFIG as FIXED_TEST_CONFIG, labMatchers, type LabConfig } from '../src/hosts/layout.js';

const { Client, utils } = ssh2;

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

export function generateKey(): KeyPair {
  const k = utils.generateKeyPairSync('ed25519', { comment: 'lab-test' });
  return { privateKey: k.private, publicKey: k.public };
}

export interface SshResult {
  stdout: string;
  stderr: string;
  code: number | null;
  hostKeySha256: string;
}

/** Connects, runs one command, returns its output and the server's host key fingerprint. */
export function sshExec(host: string, key: KeyPair, command: string, readyTimeout = 10_000): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    let hostKeySha256 = '';
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      c.end();
      reject(e);
    };
    c.on('ready', () => {
      c.exec(command, (err, stream) => {
        if (err) return fail(err);
        let stdout = '';
        let stderr = '';
        let code: number | null = null;
        stream.on('data', (d: Buffer) => (stdout += d.toString()));
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        stream.on('exit', (x: number | null) => (code = x));
        stream.on('close', () => {
          settled = true;
          c.end();
          resolve({ stdout, stderr, code, hostKeySha256 });
        });
      });
    });
    c.on('error', fail);
    c.connect({
      host,
      port: 22,
      username: 'root',
      privateKey: key.privateKey,
      readyTimeout,
      hostVerifier: (k: Buffer) => {
        hostKeySha256 = createHash('sha256').update(k).digest('base64');
        return true;
      },
    });
  });
}

/** Resolves 'open', 'refused' or 'timeout'. */
export function tcpProbe(host: string, port: number, timeoutMs = 2000): Promise<'open' | 'refused' | 'timeout' | string> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      resolve('timeout');
    });
    s.on('connect', () => {
      s.destroy();
      resolve('open');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED' ? 'refused' : (e.code ?? e.message)));
  });
}

export function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * The lab instance the lab's own real-host suites use: its own folder, subnet, bridge and names,
 * so their teardowns never touch the default lab that other suites (server/, agent/) and
 * `npm run lab` boot hosts in, maybe at this very moment.
 */
export const TEST_LAB_CONFIG: LabConfig = FIXED_TEST_CONFIG;
export const TEST_LAB_INSTANCE = 'test';

/**
 * Everything one lab instance could leave on the machine, as text lines (empty when clean). Only
 * that instance's names count: another instance's hosts are not its leftovers.
 */
export function labLeftovers(knownPids: readonly number[], config: LabConfig): string[] {
  const ours = labMatchers(config);
  const out: string[] = [];
  const netns = execFileSync('/usr/sbin/ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const l of netns.split('\n')) if (l && ours.netns(l.split(' ')[0]!)) out.push(`netns: ${l}`);
  const links = execFileSync('/usr/sbin/ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  for (const l of links.split('\n')) {
    // "421: slwlab1@if2: <...>": the name, without the peer's "@ifN".
    const name = /^\d+:\s+([^:@\s]+)/.exec(l)?.[1];
    if (name && ours.link(name)) out.push(`link: ${l.slice(0, 80)}`);
  }
  for (const l of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    if (ours.mentionedIn(l)) out.push(`mount: ${l}`);
  }
  const rules = execFileSync('/usr/sbin/iptables-save', { encoding: 'utf8' });
  for (const l of rules.split('\n')) if (l.startsWith('-A ') && ours.mentionedIn(l)) out.push(`iptables: ${l}`);
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (knownPids.includes(Number(pid)) || ours.mentionedIn(cmd)) {
        out.push(`process ${pid}: ${cmd}`);
      }
    } catch {
      /* gone */
    }
  }
  // cgroup v2: /sys/fs/cgroup/NAME; v1: /sys/fs/cgroup/CONTROLLER/NAME.
  if (existsSync('/sys/fs/cgroup')) {
    for (const c of readdirSync('/sys/fs/cgroup')) {
      const d = `/sys/fs/cgroup/${c}`;
      if (ours.cgroup(c)) out.push(`cgroup: ${d}`);
      try {
        for (const e of readdirSync(d)) if (ours.cgroup(e)) out.push(`cgroup: ${d}/${e}`);
      } catch {
        /* not a directory */
      }
    }
  }
  return out;
}

/**
 * The rules one lab instance should have in the root namespace after setup, each once: its chain
 * (hosts to hosts, out by the uplink and back, nothing else), the two jumps into it, and the NAT
 * rule when the machine has a default route.
 */
export function expectedLabRules(config: LabConfig): string[] {
  const routes = JSON.parse(execFileSync('/usr/sbin/ip', ['-j', '-4', 'route', 'show', 'default'], { encoding: 'utf8' }) || '[]') as { dev?: string }[];
  const uplink = routes.find((r) => r.dev)?.dev;
  const c = `-m comment --comment ${config.ruleComment}`;
  return [
    `-A ${config.chain} -i ${config.bridge} -o ${config.bridge} ${c} -j ACCEPT`,
    ...(uplink
      ? [
          `-A ${config.chain} -i ${config.bridge} -o ${uplink} ${c} -j ACCEPT`,
          `-A ${config.chain} -i ${uplink} -o ${config.bridge} -m conntrack --ctstate RELATED,ESTABLISHED ${c} -j ACCEPT`,
          `-A POSTROUTING -s ${config.subnet}.0/24 -o ${uplink} ${c} -j MASQUERADE`,
        ]
      : []),
    `-A ${config.chain} ${c} -j DROP`,
    `-A FORWARD -i ${config.bridge} ${c} -j ${config.chain}`,
    `-A FORWARD -o ${config.bridge} ${c} -j ${config.chain}`,
  ].sort();
}

/** iptables rules of one lab instance in the root namespace (iptables-save lines). */
export function labRules(config: LabConfig): string[] {
  const ours = labMatchers(config);
  return execFileSync('/usr/sbin/iptables-save', { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith('-A ') && ours.mentionedIn(l));
}

/** Sum of RSS (KiB) of the given pids. */
export function rssKiB(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return total;
}
