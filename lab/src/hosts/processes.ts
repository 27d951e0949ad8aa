// Finding a host's processes: everything in its network namespace or its mount namespace, plus
// their descendants (containers live in namespaces of their own under the host's shims).

import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot (tells a reused pid apart). */
  startTime: number;
  netNs: number | null;
  mntNs: number | null;
  comm: string;
  /** State letter from /proc/PID/stat (R, S, Z...). */
  state: string;
}

/** Parses /proc/PID/stat (comm may contain spaces and parentheses). */
export function parseStat(stat: string): { comm: string; state: string; ppid: number; startTime: number } | null {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < 0) return null;
  const rest = stat.slice(close + 2).split(' ');
  // rest[0] = state (field 3); ppid = field 4; starttime = field 22.
  const ppid = Number(rest[1]);
  const startTime = Number(rest[19]);
  if (!Number.isFinite(ppid) || !Number.isFinite(startTime)) return null;
  return { comm: stat.slice(open + 1, close), state: rest[0] ?? '?', ppid, startTime };
}

export function parseNsLink(link: string): number | null {
  const m = /\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : null;
}

function nsInode(pid: number, kind: 'net' | 'mnt'): number | null {
  try {
    return parseNsLink(readlinkSync(`/proc/${pid}/ns/${kind}`));
  } catch {
    return null;
  }
}

export function readProc(pid: number): ProcInfo | null {
  try {
    const st = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (!st) return null;
    return { pid, ...st, netNs: nsInode(pid, 'net'), mntNs: nsInode(pid, 'mnt') };
  } catch {
    return null;
  }
}

export function listProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const p = readProc(Number(e));
    if (p) out.push(p);
  }
  return out;
}

/** Inode of a namespace file (e.g. /var/run/netns/NAME), or null. */
export function namespaceInode(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}

/** The process is alive and is the one started at startTime. */
export function isSameProcess(pid: number, startTime: number): boolean {
  const p = readProc(pid);
  return p !== null && p.startTime === startTime && p.state !== 'Z' && p.state !== 'X';
}

/**
 * Pure: pids of processes inside any of the given namespaces, or descending from one, never
 * including `exclude` (this process and its ancestors).
 */
export function selectHostProcesses(
  procs: readonly ProcInfo[],
  netInodes: ReadonlySet<number>,
  mntInodes: ReadonlySet<number>,
  exclude: ReadonlySet<number> = new Set(),
): number[] {
  const selected = new Set<number>();
  const live = procs.filter((p) => p.state !== 'Z' && p.state !== 'X');
  for (const p of live) {
    if ((p.netNs !== null && netInodes.has(p.netNs)) || (p.mntNs !== null && mntInodes.has(p.mntNs))) selected.add(p.pid);
  }
  // Descendants.
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of live) {
      if (!selected.has(p.pid) && selected.has(p.ppid)) {
        selected.add(p.pid);
        grew = true;
      }
    }
  }
  for (const x of exclude) selected.delete(x);
  return [...selected].sort((a, b) => a - b);
}

/** This process and its ancestors: never killed by a sweep. */
export function selfAndAncestors(): Set<number> {
  const out = new Set<number>([process.pid]);
  let pid = process.ppid;
  while (pid > 1 && !out.has(pid)) {
    out.add(pid);
    const p = readProc(pid);
    if (!p) break;
    pid = p.ppid;
  }
  out.add(1);
  return out;
}
