// What `npm run cluster` needs from the machine and the repository, checked before anything
// starts, so a missing part stops it at once with the command that installs it.
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Programs } from "./processes.js";

export interface Requirement {
  /** What a person calls it, with where it was looked for. */
  name: string;
  path: string;
  /** A Debian package, or an npm build of this repository. */
  source: { debian: string } | { build: string };
}

/** The newest PostgreSQL that Debian's packages installed (/usr/lib/postgresql/<major>/bin). */
export function pickPostgresBin(root: string, versions: readonly string[]): string {
  const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0];
  return path.join(root, newest ?? "15", "bin");
}

/** Where the programs are on this machine (Debian's paths) and in this repository. */
export function findPrograms(repoRoot: string): Programs {
  const postgresRoot = "/usr/lib/postgresql";
  const consoleDir = path.join(repoRoot, "console");
  let nextCli: string;
  try {
    nextCli = createRequire(path.join(consoleDir, "package.json")).resolve("next/dist/bin/next");
  } catch {
    nextCli = path.join(repoRoot, "node_modules", "next", "dist", "bin", "next");
  }
  return {
    postgresBin: pickPostgresBin(postgresRoot, existsSync(postgresRoot) ? readdirSync(postgresRoot) : []),
    redisServer: "/usr/bin/redis-server",
    nginx: "/usr/sbin/nginx",
    node: process.execPath,
    serverMain: path.join(repoRoot, "server", "dist", "main.js"),
    nextCli,
    consoleDir,
  };
}

export function clusterRequirements(programs: Programs, withConsole: boolean): Requirement[] {
  return [
    { name: "PostgreSQL's initdb", path: `${programs.postgresBin}/initdb`, source: { debian: "postgresql" } },
    { name: "PostgreSQL's server", path: `${programs.postgresBin}/postgres`, source: { debian: "postgresql" } },
    { name: "Redis", path: programs.redisServer, source: { debian: "redis-server" } },
    { name: "nginx", path: programs.nginx, source: { debian: "nginx" } },
    { name: "the compiled API", path: programs.serverMain, source: { build: "npm run build -w @slipway/server" } },
    ...(withConsole
      ? [{ name: "the built console", path: path.join(programs.consoleDir, ".next", "BUILD_ID"), source: { build: "npm run build -w @slipway/console" } }]
      : []),
  ];
}

/** One message naming every missing part and the commands that provide them, or null. */
export function requirementsMessage(requirements: readonly Requirement[], exists: (file: string) => boolean): string | null {
  const missing = requirements.filter((r) => !exists(r.path));
  if (missing.length === 0) return null;
  const packages = [...new Set(missing.flatMap((r) => ("debian" in r.source ? [r.source.debian] : [])))];
  const builds = [...new Set(missing.flatMap((r) => ("build" in r.source ? [r.source.build] : [])))];
  return [
    "npm run cluster cannot start; missing:",
    ...missing.map((r) => `  - ${r.name} (${r.path})`),
    ...(packages.length ? [`Install Debian's packages (as root):  apt-get install -y ${packages.join(" ")}`] : []),
    ...builds.map((command) => `Build:  ${command}`),
  ].join("\n");
}
