// The real executor: execFile with an argv (never a shell) and plain fs calls.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Command, Executor, FileWrite, RunResult } from "./types.js";

const DEFAULT_TIMEOUT_MS = 60_000;

export function createSystemExecutor(): Executor {
  return {
    run: runCommand,
    async readFile(path) {
      try {
        return await readFile(path, "utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw e;
      }
    },
    async writeFile(file: FileWrite) {
      const mode = file.mode ?? 0o644;
      await mkdir(dirname(file.path), { recursive: true });
      // Temporary name that no nginx include glob (*.conf) matches.
      const tmp = `${file.path}.${randomBytes(4).toString("hex")}.tmp`;
      await writeFile(tmp, file.contents, { mode });
      await chmod(tmp, mode);
      await rename(tmp, file.path);
    },
    async removeFile(path) {
      await rm(path, { force: true });
    },
    async signal(pid, signal) {
      try {
        process.kill(pid, signal);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
        throw e;
      }
    },
    async listDir(path) {
      try {
        return await readdir(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw e;
      }
    },
  };
}

function runCommand(cmd: Command): Promise<RunResult> {
  const [file, ...args] = cmd.argv;
  if (!file) return Promise.resolve({ exitCode: -1, stdout: "", stderr: "empty command" });
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: cmd.timeoutMs ?? DEFAULT_TIMEOUT_MS, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (!err) return resolve({ exitCode: 0, stdout, stderr });
        const code = (err as NodeJS.ErrnoException & { code?: unknown }).code;
        const exitCode = typeof code === "number" ? code : -1;
        resolve({ exitCode, stdout: stdout ?? "", stderr: stderr || err.message });
      },
    );
  });
}
