// Applies the committed migrations (prisma/migrations) to a database at server startup, through
// the standard `prisma migrate deploy`. The CLI picks up our wasm schema engine from
// prisma.config.ts, so this works offline. Paths come from this file's location, so any
// workspace can call it.

import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** Where this package's Prisma config, schema and migrations live. */
export const prismaPaths = {
  packageDir,
  config: path.join(packageDir, "prisma.config.ts"),
  schema: path.join(packageDir, "schema.prisma"),
  migrations: path.join(packageDir, "migrations"),
  engine: path.join(packageDir, "engine", "schema-engine.mjs"),
} as const;

/** Absolute path of the Prisma CLI entry point this package depends on. */
export function prismaCliPath(): string {
  return require.resolve("prisma/build/index.js");
}

export interface PrismaRunResult {
  stdout: string;
  stderr: string;
}

/** Error from a failed Prisma CLI run, with its output kept for logs. */
export class PrismaCliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "PrismaCliError";
  }
}

/**
 * Runs the local Prisma CLI with `args` (no shell) against `databaseUrl`, using this package's
 * config. Rejects with a PrismaCliError when the CLI exits non-zero.
 */
export function runPrisma(args: readonly string[], databaseUrl: string): Promise<PrismaRunResult> {
  const argv = [prismaCliPath(), ...args, "--config", prismaPaths.config];
  const env = {
    ...process.env,
    DATABASE_URL: anchorSqliteUrl(databaseUrl),
    // An update check would only wait for a network that air-gapped installs do not have.
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, argv, { cwd: packageDir, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ stdout, stderr });
      const code = typeof error.code === "number" ? error.code : null;
      const detail = [stdout, stderr].map((s) => s.trim()).filter(Boolean).join("\n");
      reject(new PrismaCliError(`prisma ${args.join(" ")} failed (exit ${code ?? error.code}):\n${detail}`, code, stdout, stderr));
    });
  });
}

/**
 * The CLI runs from this package's folder, so a relative SQLite path (`file:./data/x.db`) is made
 * absolute against the caller's working directory, where the caller meant it.
 */
export function anchorSqliteUrl(databaseUrl: string): string {
  const match = /^file:(?!\/)([^?]*)(\?.*)?$/.exec(databaseUrl);
  if (!match) return databaseUrl;
  return `file:${path.resolve(process.cwd(), match[1]!)}${match[2] ?? ""}`;
}

/** Brings the database at `databaseUrl` (file:... or postgresql://...) up to the committed migrations. */
export async function applyMigrations(databaseUrl: string): Promise<void> {
  await runPrisma(["migrate", "deploy"], databaseUrl);
}
