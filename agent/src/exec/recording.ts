// A recording executor for tests: an in-memory filesystem, scripted command answers, and the
// ordered list of everything that was asked of it. It can also pass chosen commands to another
// executor (e.g. the real `nginx -t`).
import type { Command, Executor, FileWrite, RunResult } from "./types.js";

export type RecordedCall =
  | { kind: "run"; argv: string[] }
  | { kind: "write"; path: string; contents: string; mode: number }
  | { kind: "remove"; path: string }
  | { kind: "signal"; pid: number; signal: string };

export interface RecordingOptions {
  /** Answers a command; default exit 0 with no output. */
  respond?: (argv: readonly string[]) => RunResult | Promise<RunResult> | undefined;
  /** Files present at the start. */
  files?: Record<string, string>;
  /** Called for every signal sent. */
  onSignal?: (pid: number, signal: string) => void;
}

export class RecordingExecutor implements Executor {
  readonly calls: RecordedCall[] = [];
  readonly files = new Map<string, { contents: string; mode: number }>();

  constructor(private readonly opts: RecordingOptions = {}) {
    for (const [p, c] of Object.entries(opts.files ?? {})) this.files.set(p, { contents: c, mode: 0o644 });
  }

  async run(cmd: Command): Promise<RunResult> {
    this.calls.push({ kind: "run", argv: [...cmd.argv] });
    return (await this.opts.respond?.(cmd.argv)) ?? { exitCode: 0, stdout: "", stderr: "" };
  }

  async readFile(path: string): Promise<string | null> {
    return this.files.get(path)?.contents ?? null;
  }

  async writeFile(file: FileWrite): Promise<void> {
    const mode = file.mode ?? 0o644;
    this.calls.push({ kind: "write", path: file.path, contents: file.contents, mode });
    this.files.set(file.path, { contents: file.contents, mode });
  }

  async removeFile(path: string): Promise<void> {
    this.calls.push({ kind: "remove", path });
    this.files.delete(path);
  }

  /** A process "exists" when its /proc/<pid>/stat file does. */
  async signal(pid: number, signal: NodeJS.Signals): Promise<boolean> {
    this.calls.push({ kind: "signal", pid, signal });
    this.opts.onSignal?.(pid, signal);
    return this.files.has(`/proc/${pid}/stat`);
  }

  async listDir(path: string): Promise<string[]> {
    const prefix = path.endsWith("/") ? path : `${path}/`;
    return [...this.files.keys()].filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes("/")).map((p) => p.slice(prefix.length));
  }

  /** The argv of every command run, in order. */
  commands(): string[][] {
    return this.calls.flatMap((c) => (c.kind === "run" ? [c.argv] : []));
  }
}
