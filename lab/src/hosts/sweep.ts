// Ending what a host leaves running and removing what its containers leave in the cgroup tree:
// every process in its namespaces (and their descendants), and cgroup folders by name.

import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyFsSteps, signalProcess } from '../exec.js';
import type { ProcRef } from './host-state.js';
import { isSameProcess, listProcs, selectHostProcesses, selfAndAncestors } from './processes.js';

/** SIGKILLs every process in the namespaces (and their descendants) until none is left. */
export async function killNamespaces(nets: ReadonlySet<number>, mnts: ReadonlySet<number>): Promise<number[]> {
  if (nets.size === 0 && mnts.size === 0) return [];
  const exclude = selfAndAncestors();
  const killed = new Set<number>();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const pids = selectHostProcesses(listProcs(), nets, mnts, exclude);
    if (pids.length === 0) return [...killed];
    if (Date.now() > deadline) throw new Error(`processes survived SIGKILL: ${pids.join(', ')}`);
    for (const pid of pids) {
      if (signalProcess(pid, 'SIGKILL')) killed.add(pid);
    }
    await sleep(50);
  }
}

export async function waitGone(ref: ProcRef, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isSameProcess(ref.pid, ref.startTime)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Removes (deepest first) cgroup directories whose top-level name matches, in every hierarchy. */
export async function removeCgroups(match: (topName: string) => boolean): Promise<string[]> {
  const base = '/sys/fs/cgroup';
  const roots = new Set<string>();
  if (existsSync(join(base, 'cgroup.controllers'))) roots.add(base);
  else if (existsSync(base)) {
    for (const e of readdirSync(base)) {
      try {
        roots.add(realpathSync(join(base, e)));
      } catch {
        /* ignore */
      }
    }
  }
  const tops = (root: string): string[] => {
    try {
      return readdirSync(root).filter(match);
    } catch {
      return [];
    }
  };
  // Frozen ones first, in whichever hierarchy holds the freezer: until thawed, their processes
  // cannot die and no hierarchy's folder of theirs can be removed.
  for (const root of roots) for (const top of tops(root)) for (const d of collectDirs(join(root, top))) releaseFrozen(d);
  const removed: string[] = [];
  for (const root of roots) {
    for (const top of tops(root)) {
      const dirs = collectDirs(join(root, top)).sort((a, b) => b.length - a.length);
      for (const d of dirs) {
        for (let i = 0; ; i++) {
          try {
            await applyFsSteps([{ kind: 'rmdir', path: d }]);
            removed.push(d);
            break;
          } catch (e) {
            if (i >= 40) throw new Error(`cannot remove cgroup ${d}: ${(e as Error).message}`);
            await sleep(50);
          }
        }
      }
    }
  }
  return removed;
}

/**
 * A paused container's processes sit frozen in their cgroup: a SIGKILL stays pending until they
 * are thawed, and the cgroup cannot be removed meanwhile. Thaws the cgroup (v1 freezer or v2) and
 * kills what is left in it.
 */
function releaseFrozen(dir: string): void {
  try {
    if (existsSync(join(dir, 'freezer.state'))) writeFileSync(join(dir, 'freezer.state'), 'THAWED');
    if (existsSync(join(dir, 'cgroup.freeze'))) writeFileSync(join(dir, 'cgroup.freeze'), '0');
    for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) signalProcess(Number(pid), 'SIGKILL');
  } catch {
    /* gone, or not a cgroup we can write */
  }
}

function collectDirs(dir: string): string[] {
  const out = [dir];
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...collectDirs(join(dir, e.name)));
  } catch {
    /* gone */
  }
  return out;
}
