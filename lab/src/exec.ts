// The lab's one executor. Everything the lab does to the machine is built elsewhere as plain data
// (argv arrays, file writes, directory/symlink/copy steps) by pure functions; this module is the
// only place that runs it. No shell strings: commands run through execFile/spawn with an argv.

import { execFile, spawn } from 'node:child_process';
import { promises as fsp, openSync, closeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** A command to run to completion. */
export interface Command {
  argv: readonly string[];
  /** Milliseconds before the command is killed (SIGKILL) and reported as timed out. */
  timeoutMs?: number;
  /** Written to the command's stdin. */
  input?: string;
  /** Exit codes that count as success (default [0]). */
  okExitCodes?: readonly number[];
  /** Extra environment variables (merged over a minimal PATH/LANG environment). */
  env?: Readonly<Record<string, string>>;
  /** Working directory (default: this process's). */
  cwd?: string;
}

/** A long-running process to start in the background (a daemon kept in the foreground). */
export interface DaemonCommand {
  argv: readonly string[];
  /** stdout and stderr are appended here. */
  logPath: string;
  env?: Readonly<Record<string, string>>;
}

/** A file to write, with its parent directories. */
export interface FileWrite {
  path: string;
  contents: string;
  /** File mode, e.g. 0o600 (default 0o644). */
  mode?: number;
}

/** Filesystem steps, as data. */
export type FsStep =
  | { kind: 'mkdir'; path: string; mode?: number }
  | { kind: 'write'; file: FileWrite }
  | { kind: 'symlink'; target: string; path: string }
  | { kind: 'copy'; from: string; to: string; mode?: number; dereference?: boolean }
  /** A kernel setting: writes `value` to an existing /proc/sys file. */
  | { kind: 'sysctl'; path: string; value: string }
  /** A hard link (a copy when the two paths are on different filesystems). */
  | { kind: 'hardlink'; from: string; to: string }
  | { kind: 'rmdir'; path: string }
  | { kind: 'remove'; path: string };

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export class ExecError extends Error {
  constructor(
    message: string,
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly signal: string | null,
    readonly stdout: string,
    readonly stderr: string,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

export const DEFAULT_TIMEOUT_MS = 60_000;
const BASE_ENV = {
  PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
};

/** Renders an argv for error messages and logs (never executed as a string). */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Runs a command to completion; rejects with an ExecError on a bad exit code or timeout. */
export function run(cmd: Command): Promise<RunResult> {
  const [file, ...args] = cmd.argv;
  if (!file) return Promise.reject(new Error('run: empty argv'));
  const timeout = cmd.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ok = cmd.okExitCodes ?? [0];
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        timeout,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...BASE_ENV, ...cmd.env },
        encoding: 'utf8',
        ...(cmd.cwd ? { cwd: cmd.cwd } : {}),
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string }) | null;
        if (e && typeof e.code === 'string') {
          // Spawn failure (ENOENT: binary missing, EACCES...).
          reject(
            new ExecError(
              `cannot run ${formatArgv(cmd.argv)}: ${e.code}${e.code === 'ENOENT' ? ` (is ${file} installed? run lab/scripts/install-deps.sh)` : ''}`,
              cmd.argv, null, null, stdout, stderr, false,
            ),
          );
          return;
        }
        const exitCode = e ? (typeof e.code === 'number' ? e.code : null) : 0;
        const signal = e?.signal ?? null;
        const timedOut = Boolean(e?.killed && signal === 'SIGKILL' && exitCode === null);
        if (exitCode !== null && ok.includes(exitCode)) {
          resolve({ stdout, stderr, exitCode });
          return;
        }
        const why = timedOut
          ? `timed out after ${timeout} ms`
          : exitCode !== null
            ? `exited with code ${exitCode}`
            : `killed by ${signal}`;
        const detail = stderr.trim() || stdout.trim();
        reject(
          new ExecError(
            `${formatArgv(cmd.argv)} ${why}${detail ? `: ${detail.slice(-2000)}` : ''}`,
            cmd.argv, exitCode, signal, stdout, stderr, timedOut,
          ),
        );
      },
    );
    if (cmd.input !== undefined) child.stdin?.end(cmd.input);
    else child.stdin?.end();
  });
}

/** Runs commands one after another. */
export async function runAll(cmds: readonly Command[]): Promise<RunResult[]> {
  const out: RunResult[] = [];
  for (const c of cmds) out.push(await run(c));
  return out;
}

/**
 * Starts a daemon detached from this process (it outlives it, in its own process group) and
 * returns its pid. Output goes to the log file.
 */
export function startDaemon(cmd: DaemonCommand): number {
  const [file, ...args] = cmd.argv;
  if (!file) throw new Error('startDaemon: empty argv');
  mkdirSync(dirname(cmd.logPath), { recursive: true });
  const fd = openSync(cmd.logPath, 'a');
  try {
    const child = spawn(file, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...BASE_ENV, ...cmd.env },
    });
    if (child.pid === undefined) throw new Error(`cannot start ${formatArgv(cmd.argv)} (is ${file} installed?)`);
    child.on('error', () => {});
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Applies filesystem steps in order. */
export async function applyFsSteps(steps: readonly FsStep[]): Promise<void> {
  for (const s of steps) {
    switch (s.kind) {
      case 'mkdir':
        await fsp.mkdir(s.path, { recursive: true, mode: s.mode });
        if (s.mode !== undefined) await fsp.chmod(s.path, s.mode);
        break;
      case 'write':
        await writeFile(s.file);
        break;
      case 'symlink':
        await fsp.mkdir(dirname(s.path), { recursive: true });
        await fsp.rm(s.path, { force: true });
        await fsp.symlink(s.target, s.path);
        break;
      case 'copy':
        await fsp.mkdir(dirname(s.to), { recursive: true });
        await fsp.cp(s.from, s.to, {
          recursive: true,
          force: true,
          dereference: s.dereference ?? false,
          verbatimSymlinks: !(s.dereference ?? false),
        });
        if (s.mode !== undefined) await fsp.chmod(s.to, s.mode);
        break;
      case 'sysctl':
        await fsp.writeFile(s.path, s.value);
        break;
      case 'hardlink':
        await fsp.mkdir(dirname(s.to), { recursive: true });
        await fsp.rm(s.to, { force: true });
        await fsp.link(s.from, s.to).catch(async (e: NodeJS.ErrnoException) => {
          // EEXIST: made meanwhile by another process laying the same (content-addressed) file.
          if (e.code === 'EEXIST') return;
          if (e.code !== 'EXDEV') throw e;
          await fsp.copyFile(s.from, s.to);
        });
        break;
      case 'rmdir':
        await fsp.rmdir(s.path).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        });
        break;
      case 'remove':
        await fsp.rm(s.path, { recursive: true, force: true });
        break;
    }
  }
}

export async function writeFile(f: FileWrite): Promise<void> {
  await fsp.mkdir(dirname(f.path), { recursive: true });
  await fsp.writeFile(f.path, f.contents, { mode: f.mode ?? 0o644 });
  await fsp.chmod(f.path, f.mode ?? 0o644);
}

export async function writeFiles(files: readonly FileWrite[]): Promise<void> {
  for (const f of files) await writeFile(f);
}

/** Sends a signal; false when the process does not exist. */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}
