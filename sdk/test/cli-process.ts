// Runs the built `slipway` CLI as a subprocess, the way scripts and CI run it.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Write `input` only once the output shows this (a terminal echoes what arrives before raw mode). */
  inputAfter?: string;
  cwd?: string;
}

const tempDirs: string[] = [];

/** A temporary folder, removed by removeTempDirs(). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh home and config folder, so no test sees another's login. */
export function isolatedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = tempDir("slipway-cli-home-");
  return { PATH: process.env.PATH ?? "", HOME: home, XDG_CONFIG_HOME: path.join(home, "config"), ...extra };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return collect(spawn(process.execPath, [CLI, ...args], { env: options.env ?? isolatedEnv(), cwd: options.cwd }), options);
}

/**
 * Runs the CLI inside a pseudo-terminal (`script` from util-linux), so that it sees a TTY. The
 * terminal's output, escape sequences included, comes back as stdout.
 */
export function runCliInTerminal(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(" ");
  return collect(spawn("script", ["-qfec", command, "/dev/null"], { env: options.env ?? isolatedEnv(), cwd: options.cwd }), options);
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function collect(child: ReturnType<typeof spawn>, { input, inputAfter }: CliOptions): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  let waiting = inputAfter !== undefined;
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (waiting && stdout.includes(inputAfter!)) {
      waiting = false;
      child.stdin!.end(input);
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  if (!waiting) child.stdin!.end(input ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
