// The committed PostgreSQL migrations and the wasm schema engine against a real PostgreSQL 15
// server (scripts/ci-postgres.sh starts one; SLIPWAY_TEST_POSTGRES_URL points at it). The engine
// tests work on a scratch copy of the schema with provider = "postgresql" and migrations of their
// own. They fail, never skip, when the server is down.

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  EXTRA_MODEL,
  expectExit,
  freshPgDatabase,
  modelNames,
  pgTables,
  requirePostgres,
  runCleanups,
  scratchProject,
  shadowDatabases,
  POSTGRES_URL,
  withPg,
} from "./helpers.js";
import { applyMigrations } from "../src/migrate.js";
import { derivePostgresqlSchema, providerPaths, type DatabaseProvider } from "../src/providers.js";

// Checked before every test so that each one fails (not skips) when the server is down.
beforeEach(requirePostgres);
afterEach(runCleanups);

const diffArgs = ["migrate", "diff", "--from-migrations", "migrations", "--to-schema", "schema.prisma", "--exit-code"];

const migrationNames = (provider: DatabaseProvider) =>
  readdirSync(providerPaths(provider).migrations, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe("committed PostgreSQL migrations", () => {
  it("come from the one schema: the derived PostgreSQL schema is current", () => {
    const derived = derivePostgresqlSchema(readFileSync(providerPaths("sqlite").schema, "utf8"));
    expect(readFileSync(providerPaths("postgresql").schema, "utf8")).toBe(derived);
    expect(derived).toContain('provider = "postgresql"');
    expect(modelNames(derived)).toEqual(modelNames());
  });

  it("follow SQLite's history: every change after PostgreSQL's baseline exists under the same name in both", () => {
    const postgresql = migrationNames("postgresql");
    const baseline = postgresql[0]!;
    expect(baseline).toMatch(/^\d{14}_init$/);
    expect(readFileSync(path.join(providerPaths("postgresql").migrations, "migration_lock.toml"), "utf8")).toContain('provider = "postgresql"');
    expect(postgresql.slice(1)).toEqual(migrationNames("sqlite").filter((name) => name > baseline));
  });

  it("applyMigrations creates every table on an empty database and is idempotent", async () => {
    const db = freshPgDatabase();
    await withPg(POSTGRES_URL, (c) => c.query(`CREATE DATABASE "${db.name}"`));
    await applyMigrations(db.url);
    expect(await pgTables(db.url)).toEqual([...modelNames(), "_prisma_migrations"].sort());
    await applyMigrations(db.url);
    const { rows } = await withPg(db.url, (c) => c.query<{ n: string }>("SELECT count(*) AS n FROM _prisma_migrations"));
    expect(Number(rows[0]!.n)).toBe(migrationNames("postgresql").length);
  });

  it("replicas starting together take turns: each migration is applied exactly once", async () => {
    const db = freshPgDatabase();
    await withPg(POSTGRES_URL, (c) => c.query(`CREATE DATABASE "${db.name}"`));
    await Promise.all([applyMigrations(db.url), applyMigrations(db.url), applyMigrations(db.url)]);
    const { rows } = await withPg(db.url, (c) =>
      c.query<{ migration_name: string; finished_at: Date | null }>("SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name"),
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames("postgresql"));
    for (const row of rows) expect(row.finished_at).not.toBeNull();
  });
});

describe("PostgreSQL", () => {
  it("migrate dev creates the database, an init migration, and cleans up its shadow databases", async () => {
    const before = await shadowDatabases();
    const project = scratchProject({ provider: "postgresql" });
    const db = freshPgDatabase();

    const init = expectExit(await project.run(["migrate", "dev", "--name", "init"], db.url));
    expect(init.stdout).toContain(`PostgreSQL database ${db.name} created`);
    const [initDir] = readdirSync(project.migrationsDir).filter((name) => name.endsWith("_init"));
    expect(initDir).toBeDefined();
    expect(readFileSync(path.join(project.migrationsDir, initDir!, "migration.sql"), "utf8")).toContain('CREATE TYPE "UserRole" AS ENUM');
    expect(readFileSync(path.join(project.migrationsDir, "migration_lock.toml"), "utf8")).toContain('provider = "postgresql"');
    expect(await pgTables(db.url)).toEqual([...modelNames(), "_prisma_migrations"].sort());

    // A second migration replays the first on a temporary shadow database.
    writeFileSync(project.schemaPath, readFileSync(project.schemaPath, "utf8") + EXTRA_MODEL);
    expectExit(await project.run(["migrate", "dev", "--name", "probe"], db.url));
    expect(readdirSync(project.migrationsDir).filter((name) => name.endsWith("_probe"))).toHaveLength(1);
    expect(await pgTables(db.url)).toContain("MigrationProbe");

    expect(await shadowDatabases()).toEqual(before);
  });

  it("deploy, status, diff --exit-code and reset on migrations made for PostgreSQL", async () => {
    const project = scratchProject({ provider: "postgresql" });
    const dev = freshPgDatabase();
    expectExit(await project.run(["migrate", "dev", "--name", "init"], dev.url));

    // deploy on a database that does not exist yet
    const prod = freshPgDatabase();
    expectExit(await project.run(["migrate", "deploy"], prod.url));
    expect(await pgTables(prod.url)).toEqual([...modelNames(), "_prisma_migrations"].sort());

    const status = expectExit(await project.run(["migrate", "status"], prod.url));
    expect(status.stdout).toContain("Database schema is up to date!");

    expect(expectExit(await project.run(diffArgs, prod.url)).stdout).toContain("No difference detected");
    writeFileSync(project.schemaPath, readFileSync(project.schemaPath, "utf8") + EXTRA_MODEL);
    expect(expectExit(await project.run(diffArgs, prod.url), 2).stdout).toContain("MigrationProbe");

    await withPg(prod.url, (c) => c.query(`INSERT INTO "User" (id, email, name, "passwordHash") VALUES ('u1', 'a@b.c', 'A', 'x')`));
    expectExit(await project.run(["migrate", "reset", "--force"], prod.url));
    const { rows } = await withPg(prod.url, (c) => c.query<{ n: string }>('SELECT count(*) AS n FROM "User"'));
    expect(rows[0]!.n).toBe("0");
    expect(await pgTables(prod.url)).toEqual([...modelNames(), "_prisma_migrations"].sort());
  });

  it("db push creates the schema without migrations", async () => {
    const project = scratchProject({ provider: "postgresql" });
    const db = freshPgDatabase();
    expectExit(await project.run(["db", "push"], db.url));
    expect(await pgTables(db.url)).toEqual(modelNames().sort());
  });

  it("reports a wrong password as an authentication error", async () => {
    const project = scratchProject({ provider: "postgresql" });
    const url = new URL(freshPgDatabase().url);
    url.password = "wrong-password";
    const result = expectExit(await project.run(["migrate", "status"], url.toString()), 1);
    expect(result.stdout + result.stderr).toContain("P1000");
  });
});
