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

// Of the control plane's environment, git sees only these: never its secrets (DATABASE_URL,
// SLIPWAY_SECRET_KEY, provider tokens), whatever the operator put there.
const PASSED_TO_GIT = ["PATH", "TMPDIR", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"];

/** The environment git runs with: a minimal one, no prompts, no user or system config, messages in English. */
export function gitEnvironment(base: NodeJS.ProcessEnv, home = "/nonexistent"): NodeJS.ProcessEnv {
  const env = Object.fromEntries(PASSED_TO_GIT.filter((key) => base[key] !== undefined).map((key) => [key, base[key]]));
  return {
    ...env,
    HOME: home,
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
  /**
   * Checks the repository's host before git connects and returns the addresses it may use
   * (network/outbound-target.ts); https connections are pinned to them, so a name that resolves
   * differently a moment later (DNS rebinding) still reaches only an allowed address.
   */
  resolveHost?: (host: string) => Promise<string[]>;
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
  const pinned = options.resolveHost ? await pinnedResolution(source.repository, options.resolveHost) : [];
  const work = await makeTempDir(options.tempDir, "git");
  const dir = path.join(work, "repo");
  try {
    const deadline = Date.now() + timeoutMs;
    let output = "";
    for (const [program, ...rest] of gitFetchCommands(source, { dir, allowInsecureTransports })) {
      const args = [...pinned, ...rest];
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
    const child = spawn(program, args, { cwd: options.cwd, env: gitEnvironment(process.env, options.cwd), detached: true, stdio: ["ignore", "pipe", "pipe"] });
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

/** The host a repository URL names (https, ssh, git, http or user@host:path). */
export function repositoryHost(repository: string): { host: string; port: number | null; scheme: string } {
  const url = /^([a-z]+):\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\//i.exec(repository);
  if (url) return { scheme: url[1]!.toLowerCase(), host: url[2]!.toLowerCase(), port: url[3] ? Number(url[3]) : null };
  const scp = /^[^@]+@([^:]+):/.exec(repository);
  return { scheme: "ssh", host: (scp?.[1] ?? "").toLowerCase(), port: null };
}

const DEFAULT_PORTS: Record<string, number> = { https: 443, http: 80 };

/** `-c http.curloptResolve=host:port:address` for https/http, so git connects only where the check allowed. */
async function pinnedResolution(repository: string, resolveHost: (host: string) => Promise<string[]>): Promise<string[]> {
  const { host, port, scheme } = repositoryHost(repository);
  const addresses = await resolveHost(host);
  const effectivePort = port ?? DEFAULT_PORTS[scheme];
  if (effectivePort === undefined || addresses.length === 0) return [];
  const listed = addresses.map((a) => (a.includes(":") ? `[${a}]` : a)).join(",");
  return ["-c", `http.curloptResolve=${host.replace(/^\[|\]$/g, "")}:${effectivePort}:${listed}`];
}

/** Turns git's complaint into a clear error on the field at fault. */
export function explainGitFailure(stderr: string, source: GitSource): Error {
  const ref = quoteName(source.ref);
  if (/couldn't find remote ref|not our ref|unadvertised object|no such remote ref/i.test(stderr)) {
    return sourceError("ref", `The ref ${ref} was not found in ${source.repository}; use a branch, a tag or a full 40-character commit SHA`);
  }
  // git's own words are not passed on: they would tell what answers (or not) at any address.
  return sourceError("repository", `Could not fetch ${source.repository} at ${ref}: it does not exist, needs credentials Slipway does not have, or cannot be reached`);
}
