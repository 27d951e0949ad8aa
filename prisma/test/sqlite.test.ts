// The committed migrations and the wasm schema engine against real SQLite files.

import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { anchorSqliteUrl, applyMigrations, prismaPaths } from "../src/migrate.js";
import { providerPaths } from "../src/providers.js";
import {
  EXTRA_MODEL,
  expectExit,
  modelNames,
  prisma,
  runCleanups,
  scratchProject,
  sqliteTables,
  sqliteUrl,
  tempDir,
  withSqlite,
} from "./helpers.js";

afterEach(runCleanups);

const SQLITE = providerPaths("sqlite");

function committedMigrations(): string[] {
  return readdirSync(SQLITE.migrations, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

describe("committed migrations", () => {
  it("starts with the initial migration, names every one by timestamp, and has a SQLite lock file", () => {
    const names = committedMigrations();
    expect(names[0]).toMatch(/^\d{14}_init$/);
    for (const name of names) expect(name).toMatch(/^\d{14}_[a-z0-9_]+$/);
    expect(readFileSync(path.join(SQLITE.migrations, "migration_lock.toml"), "utf8")).toContain('provider = "sqlite"');
  });

  it("applyMigrations creates every table on a fresh database, and is idempotent", async () => {
    const { url, file } = sqliteUrl();
    await applyMigrations(url);
    expect(sqliteTables(file)).toEqual([...modelNames(), "_prisma_migrations"].sort());
    const applied = withSqlite(file, (db) =>
      db.prepare("SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations").all(),
    ) as Array<{ migration_name: string; finished_at: string | null; rolled_back_at: string | null }>;
    expect(applied.map((m) => m.migration_name).sort()).toEqual(committedMigrations());
    for (const migration of applied) expect(migration.finished_at).not.toBeNull();

    await applyMigrations(url); // nothing pending: must not fail
    expect(withSqlite(file, (db) => db.prepare("SELECT count(*) AS n FROM _prisma_migrations").get())).toEqual({ n: committedMigrations().length });
  });

  it("migrate:check (diff --exit-code) is clean: the migrations produce exactly the schema", async () => {
    const result = expectExit(
      await prisma(["migrate", "diff", "--from-migrations", SQLITE.migrations, "--to-schema", SQLITE.schema, "--exit-code"], "file:/nonexistent/unused.db"),
    );
    expect(result.stdout).toContain("No difference detected");
  });

  it("works through the npm script as CI runs it, for both providers", async () => {
    const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "migrate:check"], {
      cwd: prismaPaths.packageDir,
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });
    expect(stdout).toMatch(/sqlite: No difference detected/);
    expect(stdout).toMatch(/postgresql: No difference detected/);
  });

  it("migrate status reports the pending migration, then up to date", async () => {
    const { url, file } = sqliteUrl();
    new Database(file).close(); // an existing but empty database

    const pending = expectExit(await prisma(["migrate", "status"], url), 1);
    expect(pending.stdout).toMatch(/have not yet been applied:[\s\S]*_init/);

    await applyMigrations(url);
    const upToDate = expectExit(await prisma(["migrate", "status"], url));
    expect(upToDate.stdout).toContain("Database schema is up to date!");
  });

  it("migrate deploy refuses a non-empty database without migration history (P3005)", async () => {
    const { url, file } = sqliteUrl();
    withNewSqlite(file, (db) => db.exec('CREATE TABLE "Unrelated" (id INTEGER PRIMARY KEY)'));
    const result = expectExit(await prisma(["migrate", "deploy"], url), 1);
    expect(result.stdout + result.stderr).toContain("P3005");
  });

  it("migrate reset --force drops the data and reapplies the migrations", async () => {
    const { url, file } = sqliteUrl();
    await applyMigrations(url);
    withSqlite(file, (db) =>
      db.prepare(`INSERT INTO "User" (id, email, name, passwordHash) VALUES ('u1', 'a@b.c', 'A', 'x')`).run(),
    );

    expectExit(await prisma(["migrate", "reset", "--force"], url));

    expect(sqliteTables(file)).toEqual([...modelNames(), "_prisma_migrations"].sort());
    expect(withSqlite(file, (db) => db.prepare('SELECT count(*) AS n FROM "User"').get())).toEqual({ n: 0 });
    expect(withSqlite(file, (db) => db.prepare("SELECT count(*) AS n FROM _prisma_migrations").get())).toEqual({ n: committedMigrations().length });
  });
});

describe("schema changes (scratch copy of the schema)", () => {
  it("diff --exit-code exits 2 and names the change when the schema moved ahead", async () => {
    const project = scratchProject({ withMigrations: true, extraSchema: EXTRA_MODEL });
    const result = expectExit(
      await project.run(["migrate", "diff", "--from-migrations", "migrations", "--to-schema", "schema.prisma", "--exit-code"], "file:/nonexistent/unused.db"),
      2,
    );
    expect(result.stdout).toContain("MigrationProbe");
  });

  it("migrate dev creates and applies a new migration through the in-memory shadow database", async () => {
    const project = scratchProject({ withMigrations: true, extraSchema: EXTRA_MODEL });
    const { url, file } = sqliteUrl(project.dir);

    expectExit(await project.run(["migrate", "dev", "--name", "probe"], url));

    const created = readdirSync(project.migrationsDir).filter((name) => name.endsWith("_probe"));
    expect(created).toHaveLength(1);
    const sql = readFileSync(path.join(project.migrationsDir, created[0]!, "migration.sql"), "utf8");
    expect(sql).toContain('CREATE TABLE "MigrationProbe"');
    expect(sqliteTables(file)).toContain("MigrationProbe");

    const check = await project.run(["migrate", "diff", "--from-migrations", "migrations", "--to-schema", "schema.prisma", "--exit-code"], url);
    expectExit(check);
  });

  it("db push creates the schema without migrations", async () => {
    const project = scratchProject();
    const { url, file } = sqliteUrl(project.dir);
    expectExit(await project.run(["db", "push"], url));
    expect(sqliteTables(file)).toEqual(modelNames().sort());
  });

  it("prisma generate runs without downloading an engine", async () => {
    const project = scratchProject();
    const output = path.join(project.dir, "client");
    const schema = readFileSync(project.schemaPath, "utf8");
    const generator = `generator client {\n  provider = "prisma-client"\n  output   = "${output}"\n}\n`;
    await import("node:fs").then((fs) => fs.writeFileSync(project.schemaPath, generator + schema));
    expectExit(await project.run(["generate"], "file:/nonexistent/unused.db"));
    expect(existsSync(path.join(output, "client.ts"))).toBe(true);
  });
});

describe("schema-engine executable", () => {
  const engine = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(prismaPaths.engine, args, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );

  it("reports its version like the native engine", async () => {
    const { code, stdout } = await engine(["--version"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^schema-engine-cli [0-9a-f]{40}\n$/);
  });

  it("answers can-connect / create-database / drop-database for SQLite", async () => {
    const { url, file } = sqliteUrl(tempDir());
    const datasource = JSON.stringify({ url });
    const missing = await engine(["--datasource", datasource, "cli", "can-connect-to-database"]);
    expect(missing.code).toBe(1);
    const errorLine = JSON.parse(missing.stderr.trim().split("\n").at(-1)!);
    expect(errorLine).toMatchObject({ level: "ERROR", fields: { error_code: "P1003" } });

    expect((await engine(["--datasource", datasource, "cli", "create-database"])).code).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect((await engine(["--datasource", datasource, "cli", "can-connect-to-database"])).code).toBe(0);
    expect((await engine(["--datasource", datasource, "cli", "drop-database"])).code).toBe(0);
    expect(existsSync(file)).toBe(false);
  });
});

function withNewSqlite(file: string, fn: (db: Database.Database) => void) {
  const db = new Database(file);
  try {
    fn(db);
  } finally {
    db.close();
  }
}

describe("anchorSqliteUrl", () => {
  it("makes relative SQLite paths absolute against the caller's directory", () => {
    expect(anchorSqliteUrl("file:./data/x.db")).toBe(`file:${path.resolve("data/x.db")}`);
    expect(anchorSqliteUrl("file:x.db?connection_limit=1")).toBe(`file:${path.resolve("x.db")}?connection_limit=1`);
    expect(anchorSqliteUrl("file:/abs/x.db")).toBe("file:/abs/x.db");
    expect(anchorSqliteUrl("postgresql://u:p@h/db")).toBe("postgresql://u:p@h/db");
  });
});
