// Shared helpers: run the real Prisma CLI, make throwaway copies of the schema, reach PostgreSQL.

import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { prismaCliPath, prismaPaths } from "../src/migrate.js";
import { POSTGRES_DEV_URL } from "../src/dev-database.js";
import { providerPaths } from "../src/providers.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Defaults to this package's prisma.config.ts (which wires in the wasm engine itself). */
  config?: string;
  cwd?: string;
  env?: Record<string, string>;
}

/** Runs the Prisma CLI and resolves with its exit code and output (never rejects on exit != 0). */
export function prisma(args: string[], databaseUrl: string, options: RunOptions = {}): Promise<CliResult> {
  const config = options.config ?? prismaPaths.config;
  const env = { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: "1", ...options.env };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [prismaCliPath(), ...args, "--config", config],
      { cwd: options.cwd ?? path.dirname(config), env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Fails with the CLI's output when it did not exit with `code`. */
export function expectExit(result: CliResult, code = 0): CliResult {
  if (result.code !== code) {
    throw new Error(`expected exit ${code}, got ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  return result;
}

const cleanups: Array<() => Promise<void> | void> = [];

export async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export function tempDir(prefix = "slipway-prisma-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Model names declared in a schema; every one must become a table. */
export function modelNames(schema = readFileSync(prismaPaths.schema, "utf8")): string[] {
  return [...schema.matchAll(/^model\s+(\w+)\s*\{/gm)].map((m) => m[1]!);
}

/**
 * A throwaway Prisma project: a copy of the real schema (generators removed, provider switched if
 * asked), optionally the committed migrations, and a config that does not import anything (the
 * folder lives outside node_modules' reach). The engine comes from the environment, as the real
 * config sets it.
 */
export function scratchProject(options: { provider?: "sqlite" | "postgresql"; withMigrations?: boolean; extraSchema?: string } = {}) {
  const dir = tempDir();
  let schema = readFileSync(prismaPaths.schema, "utf8").replace(/^generator\s+\w+\s*\{[^}]*\}\n/gm, "");
  if (options.provider === "postgresql") schema = schema.replace('provider = "sqlite"', 'provider = "postgresql"');
  writeFileSync(path.join(dir, "schema.prisma"), schema + (options.extraSchema ?? ""));
  if (options.withMigrations) {
    cpSync(providerPaths(options.provider ?? "sqlite").migrations, path.join(dir, "migrations"), { recursive: true });
  }
  const config = path.join(dir, "prisma.config.ts");
  writeFileSync(
    config,
    `export default {\n  schema: "schema.prisma",\n  migrations: { path: "migrations" },\n  datasource: { url: process.env.DATABASE_URL },\n};\n`,
  );
  return {
    dir,
    config,
    schemaPath: path.join(dir, "schema.prisma"),
    migrationsDir: path.join(dir, "migrations"),
    run: (args: string[], databaseUrl: string) =>
      prisma(args, databaseUrl, { config, env: { PRISMA_SCHEMA_ENGINE_BINARY: prismaPaths.engine } }),
  };
}

export const EXTRA_MODEL = `\nmodel MigrationProbe {\n  id    String @id\n  label String\n}\n`;

// ------------------------------------------------------------------------------------- SQLite

export function sqliteUrl(dir = tempDir()): { url: string; file: string } {
  const file = path.join(dir, "test.db");
  return { url: `file:${file}`, file };
}

export function sqliteTables(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>;
    return rows.map((r) => r.name);
  } finally {
    db.close();
  }
}

export function withSqlite<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file, { fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

// --------------------------------------------------------------------------------- PostgreSQL

/** The test server; CI starts it with scripts/ci-postgres.sh. */
export const POSTGRES_URL = POSTGRES_DEV_URL;

export async function withPg<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Fails (never skips) when the server is down: these tests are part of CI. */
export async function requirePostgres(): Promise<void> {
  try {
    await withPg(POSTGRES_URL, (c) => c.query("SELECT 1"));
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_URL.replace(/:[^:@/]*@/, ":***@")} (${(error as Error).message}). ` +
        "Start it with prisma/scripts/ci-postgres.sh or set SLIPWAY_TEST_POSTGRES_URL.",
    );
  }
}

/** A URL for a database that does not exist yet, dropped again after the test. */
export function freshPgDatabase(): { url: string; name: string } {
  const name = `slipway_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  cleanups.push(() => withPg(POSTGRES_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}));
  return { url: url.toString(), name };
}

export async function pgTables(url: string): Promise<string[]> {
  const { rows } = await withPg(url, (c) =>
    c.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"),
  );
  return rows.map((r) => r.name);
}

export async function shadowDatabases(): Promise<string[]> {
  const { rows } = await withPg(POSTGRES_URL, (c) =>
    c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'"),
  );
  return rows.map((r) => r.datname);
}
