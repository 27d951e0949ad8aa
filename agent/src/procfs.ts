// Parsers for /proc and nginx.conf details the agent needs to follow an nginx reload. Pure.

/** Parent pid from /proc/<pid>/stat (the command name may contain spaces and parentheses). */
export function parsePpid(stat: string): number | null {
  const close = stat.lastIndexOf(")");
  if (close < 0) return null;
  const ppid = Number(stat.slice(close + 2).split(" ")[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

/** /proc/<pid>/task/<pid>/children: the child pids, space-separated. */
export function parseChildren(text: string): number[] {
  return text.split(/\s+/).filter((p) => /^\d+$/.test(p)).map(Number);
}

/** /proc/<pid>/cmdline is NUL-separated; nginx rewrites its own to a title like "nginx: worker process". */
export function parseCmdline(raw: string): string {
  return raw.replace(/\0+$/, "").replace(/\0/g, " ");
}

/** The pid file nginx.conf names (Debian's default when it names none). */
export function nginxPidPath(nginxConf: string | null): string {
  const m = /^\s*pid\s+([^;\s]+)\s*;/m.exec(nginxConf ?? "");
  return m?.[1] ?? "/run/nginx.pid";
}

export type WorkerState = "accepting" | "shutting-down";

/** A worker's state from its process title. */
export function nginxWorkerState(title: string): WorkerState | null {
  if (/^nginx: worker process is shutting down/.test(title)) return "shutting-down";
  if (/^nginx: worker process/.test(title)) return "accepting";
  return null;
}

/**
 * A reload is in effect once new workers accept and every worker from before has stopped
 * accepting (it only finishes its in-flight requests) or exited.
 */
export function reloadDone(before: ReadonlySet<number>, now: ReadonlyMap<number, WorkerState>): boolean {
  let fresh = false;
  for (const [pid, state] of now) {
    if (before.has(pid) && state === "accepting") return false;
    if (!before.has(pid) && state === "accepting") fresh = true;
  }
  return fresh;
}
