import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { DomainError } from "../errors.js";
import { gitRef, gitRepositoryUrl, parseInput } from "../validation.js";
import { DEFAULT_GIT_TIMEOUT_MS } from "./defaults.js";
import { makeTempDir, removeDir } from "./temp.js";
import { assertTreeIsSafe, quoteName, sourceError } from "./tree.js";

// A git source is fetched as one commit with a fresh `git init` + shallow `git fetch <url> <ref>`
// + `checkout --detach FETCH_HEAD`: one path for branches, tags and full commit SHAs alike. Every
// argv is built by gitFetchCommands() and run with spawn (no shell). Git sees no system or
// global configuration, only the transports allowed here, no hooks, no submodules, and never
// prompts. The checkout's .git folder is removed: what is returned is the tree at the commit.

/** With allowInsecureTransports (config.allowInsecureGitTransports: lab and tests), git:// and http:// on loopback too. */
export function gitSourceInput(allowInsecureTransports: boolean) {
  return z.object({ repository: gitRepositoryUrl(allowInsecureTransports), ref: gitRef });
}

export interface GitSource {
  repository: string;
  ref: string;
}

export interface GitCommandOptions {
  /** The (empty) folder the checkout goes into. */
  dir: string;
  allowInsecureTransports: boolean;
}

/** `-c` options put before every git subcommand. */
export function gitConfigArgs(allowInsecureTransports: boolean): string[] {
  const allowed = allowInsecureTransports ? ["https", "ssh", "git", "http"] : ["https", "ssh"];
  return [
    "-c", "protocol.allow=never",
    ...allowed.flatMap((transport) => ["-c", `protocol.${transport}.allow=always`]),
    "-c", "protocol.file.allow=never",
    "-c", "core.hooksPath=/dev/null",
    "-c", "submodule.recurse=false",
    "-c", "advice.detachedHead=false",
  ];
}

/** The argv of each step, in order; the last one prints the commit that was checked out. */
export function gitFetchCommands(source: GitSource, options: GitCommandOptions): string[][] {
  const git = ["git", ...gitConfigArgs(options.allowInsecureTransports)];
  return [
    [...git, "init", "--quiet", "--", options.dir],
    [...git, "-C", options.dir, "fetch", "--quiet", "--depth=1", "--no-tags", "--no-recurse-submodules", "--", source.repository, source.ref],
    [...git, "-C", options.dir, "checkout", "--quiet", "--detach", "FETCH_HEAD"],
    [...git, "-C", options.dir, "rev-parse", "--verify", "HEAD^{commit}"],
  ];
}

/** The environment git runs with: none of the caller's GIT_* variables, no prompts, messages in English. */
export function gitEnvironment(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(base).filter(([key]) => !key.startsWith("GIT_") && !key.startsWith("LC_")));
  return {
    ...env,
    LC_ALL: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_SSH_COMMAND: "ssh -o BatchMode=yes",
  };
}

export interface FetchGitOptions {
  /** A fresh folder is made under it for this checkout. */
  tempDir: string;
  allowInsecureTransports?: boolean;
  timeoutMs?: number;
}

export interface FetchedGitSource {
  /** The tree at the commit, without .git. */
  root: string;
  /** The full SHA of the commit checked out. */
  commit: string;
  cleanup(): Promise<void>;
}

export class GitTimeoutError extends DomainError {
  override name = "GitTimeoutError";
}

export async function fetchGitSource(input: unknown, options: FetchGitOptions): Promise<FetchedGitSource> {
  const allowInsecureTransports = options.allowInsecureTransports ?? false;
  const source = parseInput(gitSourceInput(allowInsecureTransports), input);
  const timeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  const work = await makeTempDir(options.tempDir, "git");
  const dir = path.join(work, "repo");
  try {
    const deadline = Date.now() + timeoutMs;
    let output = "";
    for (const [program, ...args] of gitFetchCommands(source, { dir, allowInsecureTransports })) {
      output = await runGit(program!, args, { cwd: work, timeoutMs: Math.max(1, deadline - Date.now()), source });
    }
    const commit = output.trim();
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) throw new Error(`git rev-parse printed an unexpected commit: ${quoteName(commit)}`);
    await rm(path.join(dir, ".git"), { recursive: true, force: true });
    await assertTreeIsSafe(dir, "repository");
    return { root: dir, commit, cleanup: () => removeDir(work) };
  } catch (error) {
    await removeDir(work);
    throw error;
  }
}

/**
 * Runs one git step (no shell). git runs in its own process group so that a timeout also stops
 * the helpers it starts (git-remote-https, ssh), not only git itself.
 */
function runGit(program: string, args: string[], options: { cwd: string; timeoutMs: number; source: GitSource }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: options.cwd, env: gitEnvironment(process.env), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const keep = (text: string, chunk: Buffer) => (text.length < 64 * 1024 ? text + chunk.toString("utf8") : text);
    child.stdout.on("data", (chunk: Buffer) => (stdout = keep(stdout, chunk)));
    child.stderr.on("data", (chunk: Buffer) => (stderr = keep(stderr, chunk)));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, options.timeoutMs);
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === "ENOENT" ? new Error("git is not installed on the control plane") : error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new GitTimeoutError(`Fetching ${options.source.repository} took longer than ${Math.round(options.timeoutMs / 1000)} s and was stopped`));
      } else if (code === 0) {
        resolve(stdout);
      } else {
        reject(explainGitFailure(stderr, options.source));
      }
    });
  });
}

/** Turns git's complaint into a clear error on the field at fault. */
export function explainGitFailure(stderr: string, source: GitSource): Error {
  const ref = quoteName(source.ref);
  if (/couldn't find remote ref|not our ref|unadvertised object|no such remote ref/i.test(stderr)) {
    return sourceError("ref", `The ref ${ref} was not found in ${source.repository}; use a branch, a tag or a full 40-character commit SHA`);
  }
  const detail = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("fatal:") || line.startsWith("error:"))
    .map((line) => line.replace(/^(fatal|error):\s*/, ""))
    .join("; ")
    .slice(0, 300);
  return sourceError("repository", `Could not fetch ${source.repository} at ${ref}${detail ? `: ${detail}` : ""}`);
}
