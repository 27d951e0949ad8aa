import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { providerOf } from "@slipway/prisma/providers";
import { chmodSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PrismaClient } from "./generated/prisma/client.js";
import { takingTurns } from "./sqlite-turns.js";

/**
 * The database, typed by the SQLite client. Both clients are generated from one schema; the
 * PostgreSQL client accepts a superset of the SQLite client's inputs, so code written against
 * this type runs on either provider.
 */
export type Database = PrismaClient;

/**
 * How long PostgreSQL lets a session sit idle inside a transaction before it ends it. A replica
 * frozen mid-transaction (its machine stalled, the process stopped) keeps its connection open, and
 * with it the row locks it took (a service's claim, an operation's lease): past this the server
 * rolls it back and the other replicas go on. Well above any pause between our statements.
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;

/** Opens the database named by a Prisma URL: `file:` is SQLite, `postgres(ql):` is PostgreSQL. */
export async function openDatabase(databaseUrl: string, options: { idleInTransactionTimeoutMs?: number } = {}): Promise<Database> {
  if (providerOf(databaseUrl) === "sqlite") {
    // One connection for everything: transactions and the queries outside them take turns on it.
    const db = new PrismaClient({ adapter: takingTurns(new PrismaBetterSqlite3({ url: databaseUrl })) });
    // Write-ahead logging lets readers (subscriptions replaying events) run while an operation
    // writes; NORMAL sync is durable across application crashes, which is what WAL needs.
    await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
    await db.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
    return db;
  }
  // Loaded only when used: an SQLite control plane never pays for the second client.
  const { PrismaClient: PostgresqlClient } = await import("./generated/prisma-postgresql/client.js");
  // `?schema=` is Prisma's parameter, not pg's: it goes to the adapter instead.
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get("schema") ?? undefined;
  url.searchParams.delete("schema");
  const adapter = new PrismaPg(
    { connectionString: url.toString(), idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? IDLE_IN_TRANSACTION_TIMEOUT_MS },
    { schema },
  );
  return new PostgresqlClient({ adapter }) as unknown as Database;
}

/**
 * An SQLite database holds every secret's ciphertext, the audit log and token hashes: its files
 * are the owner's only (0600), whoever made the data directory and whatever the umask.
 */
export function restrictDatabaseFiles(databaseUrl: string): void {
  if (providerOf(databaseUrl) !== "sqlite") return;
  const file = sqlitePath(databaseUrl);
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(path)) chmodSync(path, 0o600);
  }
}

function sqlitePath(databaseUrl: string): string {
  const rest = databaseUrl.replace(/^file:/, "").replace(/\?.*$/, "");
  return rest.startsWith("//") ? fileURLToPath(`file:${rest}`) : rest;
}
