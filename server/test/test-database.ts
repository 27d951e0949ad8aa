// Which database the server's suites run on: SQLite files by default, PostgreSQL when
// SLIPWAY_TEST_DATABASE=postgresql (CI runs the suites both ways). Each control plane a test
// starts gets a fresh, empty database of its own (replicas of one cluster share one).
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { POSTGRES_DEV_URL } from "@slipway/prisma/dev-database";
import type { Database } from "../src/db.js";

export type TestProvider = "sqlite" | "postgresql";

export const TEST_PROVIDER: TestProvider = process.env.SLIPWAY_TEST_DATABASE === "postgresql" ? "postgresql" : "sqlite";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new empty database: a file in `dataDir`, or a new database on the test PostgreSQL server. */
export async function freshTestDatabase(dataDir: string, provider: TestProvider = TEST_PROVIDER): Promise<TestDatabase> {
  if (provider === "sqlite") return { url: `file:${path.join(dataDir, "slipway.db")}`, drop: async () => {} };
  await (leftoversDropped ??= dropLeftoverDatabases());
  const name = `${PREFIX}${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(POSTGRES_DEV_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: async () => void (await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)) };
}

const PREFIX = "slipway_t_";
/** Older than this, a test database is a killed run's leftover (no suite runs this long). */
const LEFTOVER_AFTER_MS = 6 * 3_600_000;
let leftoversDropped: Promise<void> | undefined;

/** Drops the test databases of runs killed before they could drop their own (once per process). */
async function dropLeftoverDatabases(): Promise<void> {
  const names = await adminQuery<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, '${PREFIX}')`);
  for (const { datname } of names) {
    const createdAt = parseInt(datname.slice(PREFIX.length).split("_")[0]!, 36);
    if (Date.now() - createdAt > LEFTOVER_AFTER_MS) await adminQuery(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

async function adminQuery<Row extends object = object>(sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: POSTGRES_DEV_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at the test server (${(error as Error).message}); start it with prisma/scripts/ci-postgres.sh`);
  }
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Everything the database holds as bytes, for tests proving a secret is never stored in clear:
 * every SQLite file of the data directory (after a checkpoint), or a pg_dump of the database.
 */
export async function storedBytes(db: Database, databaseUrl: string, dataDir: string): Promise<Buffer> {
  if (databaseUrl.startsWith("file:")) {
    await db.$executeRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)").catch(() => undefined);
    const files = readdirSync(dataDir).filter((name) => name.startsWith("slipway.db"));
    if (files.length === 0) throw new Error(`no SQLite file in ${dataDir}`);
    return Buffer.concat(files.map((name) => readFileSync(path.join(dataDir, name))));
  }
  const { stdout } = await promisify(execFile)("pg_dump", ["--data-only", "--no-owner", databaseUrl], { encoding: "buffer", maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}
