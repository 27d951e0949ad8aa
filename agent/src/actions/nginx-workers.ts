// nginx's reload signal returns at once; the master then starts new workers and tells the old
// ones to stop accepting. Traffic has moved only when that happened, so the agent watches the
// master's workers in /proc before it reports the switch (and before it starts draining).
import { setTimeout as sleep } from "node:timers/promises";
import type { Executor } from "../exec/types.js";
import { nginxPidPath, nginxWorkerState, parseChildren, parseCmdline, parsePpid, reloadDone, type WorkerState } from "../procfs.js";

const POLL_MS = 10;
const DRAIN_POLL_MS = 50;

/** The master's pid, or null when nginx does not run (or its pid file is elsewhere). */
export async function nginxMasterPid(exec: Executor, nginxDir: string): Promise<number | null> {
  const pidFile = nginxPidPath(await exec.readFile(`${nginxDir}/nginx.conf`));
  const pid = Number((await exec.readFile(pidFile))?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return (await exec.readFile(`/proc/${pid}/stat`)) === null ? null : pid;
}

export async function nginxWorkers(exec: Executor, masterPid: number): Promise<Map<number, WorkerState>> {
  const out = new Map<number, WorkerState>();
  for (const pid of await childPids(exec, masterPid)) {
    const title = await exec.readFile(`/proc/${pid}/cmdline`).catch(() => null);
    const state = title === null ? null : nginxWorkerState(parseCmdline(title));
    if (state) out.set(pid, state);
  }
  return out;
}

/**
 * The master's children: straight from /proc/<pid>/task/<pid>/children where the kernel offers it
 * (one read, however many processes the machine runs), else by scanning every process's parent.
 */
async function childPids(exec: Executor, masterPid: number): Promise<number[]> {
  const listed = await exec.readFile(`/proc/${masterPid}/task/${masterPid}/children`).catch(() => null);
  if (listed !== null) return parseChildren(listed);
  const pids: number[] = [];
  for (const name of await exec.listDir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await exec.readFile(`/proc/${name}/stat`).catch(() => null);
    if (stat !== null && parsePpid(stat) === masterPid) pids.push(Number(name));
  }
  return pids;
}

/** Waits until the reload is in effect; false on timeout (the master refused the new config). */
export async function waitForReload(exec: Executor, masterPid: number, before: ReadonlySet<number>, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (reloadDone(before, await nginxWorkers(exec, masterPid))) return true;
    if (Date.now() > deadline) return false;
    await sleep(POLL_MS);
  }
}

/**
 * Waits until none of `pids` runs any more (old workers finish their in-flight requests, then
 * exit); false when some still run after `timeoutMs`.
 */
export async function waitForExit(exec: Executor, pids: ReadonlySet<number>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = await Promise.all([...pids].map(async (pid) => (await exec.readFile(`/proc/${pid}/stat`).catch(() => null)) !== null));
    if (!alive.includes(true)) return true;
    if (Date.now() > deadline) return false;
    await sleep(DRAIN_POLL_MS);
  }
}
