// What the agent runs, as data: argv commands (no shell) and file operations.

export interface Command {
  argv: readonly string[];
  /** Killed (SIGKILL) after this many milliseconds. */
  timeoutMs?: number;
}

export interface RunResult {
  /** -1 when the program could not be started or was killed. */
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface FileWrite {
  path: string;
  contents: string;
  /** Default 0o644. */
  mode?: number;
}

/** The one way the agent touches the machine outside Docker. */
export interface Executor {
  /** Never rejects on a non-zero exit: callers decide what a failure means. */
  run(cmd: Command): Promise<RunResult>;
  /** null when the file does not exist. */
  readFile(path: string): Promise<string | null>;
  /** Atomic (temporary file + rename), creating parent folders. */
  writeFile(file: FileWrite): Promise<void>;
  /** No error when it is already gone. */
  removeFile(path: string): Promise<void>;
  /** File names in a folder; [] when it does not exist. */
  listDir(path: string): Promise<string[]>;
  /** Sends a signal to a process; false when there is no such process. */
  signal(pid: number, signal: NodeJS.Signals): Promise<boolean>;
}
