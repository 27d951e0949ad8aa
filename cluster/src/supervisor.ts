// The cluster's one executor: starts the processes processes.ts describes, each in a process
// group of its own (a terminal's Ctrl-C reaches only the launcher, which then stops them in
// order), with its output in a log file; records them so that a later start can stop what a
// crashed launcher left behind; stops them with their own signal, then SIGKILL.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterLayout } from "./layout.js";
import type { ProcessSpec } from "./processes.js";

export interface RunningProcess {
  spec: ProcessSpec;
  pid: number;
  logPath: string;
  /** Resolves when it exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
}

interface ProcessRecord {
  name: string;
  pid: number;
  argv: readonly string[];
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
}

export class Supervisor {
  private readonly running: RunningProcess[] = [];
  private stopping = false;

  constructor(
    private readonly layout: ClusterLayout,
    /** Told when a process exits that nobody asked to stop. */
    private readonly onUnexpectedExit: (process: RunningProcess, code: number | null, signal: NodeJS.Signals | null) => void = () => {},
  ) {}

  /** Runs a command to completion; throws with the end of its log when it fails. */
  async run(spec: ProcessSpec): Promise<void> {
    const child = this.spawn(spec);
    const { code, signal } = await child.exited;
    if (code !== 0) throw new Error(`${spec.name} failed (${signal ?? `exit ${code}`}):\n${tail(child.logPath)}`);
  }

  /** Starts a long-running process in the background. */
  start(spec: ProcessSpec): RunningProcess {
    const child = this.spawn(spec);
    this.running.push(child);
    this.record();
    void child.exited.then(({ code, signal }) => {
      this.record();
      if (!this.stopping && this.running.includes(child)) this.onUnexpectedExit(child, code, signal);
    });
    return child;
  }

  processes(): readonly RunningProcess[] {
    return this.running;
  }

  /** Stops these processes together: each gets its stop signal, then SIGKILL after its timeout. */
  async stop(processes: readonly RunningProcess[]): Promise<void> {
    await Promise.all(processes.map((p) => stopGroup(p.pid, p.spec.stopSignal, p.spec.stopTimeoutMs, p.exited)));
    for (const p of processes) this.running.splice(this.running.indexOf(p), 1);
    this.record();
  }

  /** Sends `signal` to one process now, outside the stop order (a benchmark's SIGKILL), and waits until it is gone. */
  async kill(name: string, signal: NodeJS.Signals): Promise<ProcessSpec> {
    const target = this.running.find((p) => p.spec.name === name);
    if (!target) throw new Error(`no process named ${name} is running`);
    this.running.splice(this.running.indexOf(target), 1);
    signalGroup(target.pid, signal);
    await target.exited;
    this.record();
    return target.spec;
  }

  /** Stops everything still running, the most recently started first (stage by stage, as `stages` groups them). */
  async stopAll(stages: readonly (readonly string[])[]): Promise<void> {
    this.stopping = true;
    for (const names of stages) await this.stop(this.running.filter((p) => names.includes(p.spec.name)));
    await this.stop([...this.running]);
  }

  /**
   * Stops what an earlier launcher of this data directory left running (it was killed before it
   * could stop them); only processes whose command line is still the recorded one. Returns their names.
   */
  async stopLeftovers(): Promise<string[]> {
    if (!existsSync(this.layout.processesFile)) return [];
    let records: ProcessRecord[];
    try {
      records = JSON.parse(readFileSync(this.layout.processesFile, "utf8")) as ProcessRecord[];
    } catch {
      return [];
    }
    const alive = records.filter((r) => commandLine(r.pid)?.[0] === r.argv[0]);
    await Promise.all(alive.map((r) => stopGroup(r.pid, r.stopSignal, r.stopTimeoutMs, waitForExit(r.pid))));
    writeFileSync(this.layout.processesFile, "[]\n");
    return alive.map((r) => `${r.name} (pid ${r.pid})`);
  }

  private spawn(spec: ProcessSpec): RunningProcess {
    const logPath = this.layout.log(spec.name);
    // A fresh log each start: what it says (a setup token) is about this run.
    const log = openSync(logPath, "w", 0o600);
    const ids = spec.user ? osUser(spec.user) : {};
    const child = spawn(spec.argv[0]!, spec.argv.slice(1), {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ["ignore", log, log],
      detached: true,
      ...ids,
    });
    closeSync(log);
    let done = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once("error", (error) => {
        done = true;
        writeFileSync(logPath, `could not start ${spec.argv[0]}: ${error.message}\n`, { flag: "a" });
        resolve({ code: null, signal: null });
      });
      child.once("exit", (code, signal) => {
        done = true;
        resolve({ code, signal });
      });
    });
    return { spec, pid: child.pid ?? -1, logPath, exited, hasExited: () => done };
  }

  private record(): void {
    const records: ProcessRecord[] = this.running
      .filter((p) => !p.hasExited())
      .map((p) => ({ name: p.spec.name, pid: p.pid, argv: p.spec.argv, stopSignal: p.spec.stopSignal, stopTimeoutMs: p.spec.stopTimeoutMs }));
    writeFileSync(this.layout.processesFile, `${JSON.stringify(records, null, 2)}\n`, { mode: 0o600 });
  }
}

/** The end of a log file, for an error message. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).map((line) => `    ${line}`).join("\n");
  } catch {
    return "    (no output)";
  }
}

async function stopGroup(pid: number, signal: NodeJS.Signals, timeoutMs: number, exited: Promise<unknown>): Promise<void> {
  if (pid <= 0) return;
  // The process leads its own group: the signal reaches whatever it started too (nginx's workers).
  if (!signalGroup(pid, signal)) return;
  const timedOut = await Promise.race([exited.then(() => false), sleep(timeoutMs).then(() => true)]);
  if (timedOut) {
    signalGroup(pid, "SIGKILL");
    await exited;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

async function waitForExit(pid: number): Promise<void> {
  while (commandLine(pid)) await sleep(100);
}

function commandLine(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return text ? text.split("\0").filter(Boolean) : null;
  } catch {
    return null;
  }
}

/** A user's numeric ids, e.g. PostgreSQL's `postgres` (created by Debian's postgresql package). */
export function osUser(user: string): { uid: number; gid: number } {
  const id = (flag: string) => {
    try {
      return Number(execFileSync("id", [flag, user], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    } catch {
      throw new Error(`there is no "${user}" user on this machine (Debian's postgresql package creates it)`);
    }
  };
  return { uid: id("-u"), gid: id("-g") };
}
