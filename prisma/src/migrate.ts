// Applies the committed migrations (prisma/migrations/<provider>) to a database at server
// startup, through the standard `prisma migrate deploy`. The CLI picks up our wasm schema engine
// from prisma.config.ts, so this works offline. Paths come from this package's folder, so any
// workspace can call it, from source or bundled into the server's compiled JavaScript.

import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";
import { packageDir, providerOf, providerPaths, type DatabaseProvider } from "./providers.js";

const require = createRequire(import.meta.url);

/** Where this package's Prisma config, schema and migrations live. */
export const prismaPaths = {
  packageDir,
  config: path.join(packageDir, "prisma.config.ts"),
  /** The one source of the data model (SQLite's schema; PostgreSQL's is derived from it). */
  schema: path.join(packageDir, "schema.prisma"),
  /** One folder per provider: migrations/sqlite, migrations/postgresql. */
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

// Any fixed number; every replica takes the same lock. (Prisma's native engine also locks, the
// wasm engine does not, so Slipway holds its own around the whole deploy.)
const MIGRATION_LOCK_KEY = 7_227_170_542;

/**
 * Brings the database at `databaseUrl` (file:... or postgresql://...) up to the committed
 * migrations. On PostgreSQL, replicas starting together take turns under an advisory lock: the
 * first applies the migrations, the others then find nothing left to do.
 */
export async function applyMigrations(databaseUrl: string): Promise<void> {
  if (providerOf(databaseUrl) === "sqlite") {
    await runPrisma(["migrate", "deploy"], databaseUrl);
    return;
  }
  const client = new pg.Client(pgConnectionConfig(databaseUrl));
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await runPrisma(["migrate", "deploy"], databaseUrl);
  } finally {
    // Ending the session releases the lock even if the unlock is never sent.
    await client.end();
  }
}

/** pg's own URL parsing, minus Prisma-only parameters it would pass to the server. */
function pgConnectionConfig(databaseUrl: string): pg.ClientConfig {
  const url = new URL(databaseUrl);
  url.searchParams.delete("schema");
  url.searchParams.delete("connection_limit");
  return { connectionString: url.toString() };
}

/**
 * Fails unless each provider's migrations produce exactly its schema (CI's staleness check).
 * PostgreSQL's check replays the migrations into a temporary shadow database on `postgresUrl`.
 */
export async function checkMigrations(postgresUrl: string): Promise<Record<DatabaseProvider, string>> {
  const urls: Record<DatabaseProvider, string> = { sqlite: "file:/nonexistent/unused.db", postgresql: postgresUrl };
  const outcome = {} as Record<DatabaseProvider, string>;
  for (const provider of ["sqlite", "postgresql"] as const) {
    const { schema, migrations } = providerPaths(provider);
    const { stdout } = await runPrisma(["migrate", "diff", "--from-migrations", migrations, "--to-schema", schema, "--exit-code"], urls[provider]);
    outcome[provider] = stdout.trim();
  }
  return outcome;
}
