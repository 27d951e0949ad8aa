import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.js";

export type Database = PrismaClient;

/** Opens the database named by a Prisma URL: `file:` is SQLite, `postgres(ql):` is PostgreSQL. */
export function openDatabase(databaseUrl: string): Database {
  if (databaseUrl.startsWith("file:")) {
    return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: databaseUrl }) });
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  }
  throw new Error("DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)");
}

/**
 * SQLite: write-ahead logging lets readers (subscriptions replaying events) run while an
 * operation writes; NORMAL sync is durable across application crashes, which is what WAL needs.
 */
export async function tuneDatabase(db: Database, databaseUrl: string): Promise<void> {
  if (!databaseUrl.startsWith("file:")) return;
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  await db.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
}
