// The control plane's PostgreSQL sessions: a replica frozen inside a transaction must not hold its
// row locks for good. Runs on PostgreSQL in every suite (it is about PostgreSQL only).
import { tmpdir } from "node:os";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase, type Database } from "../src/db.js";
import { freshTestDatabase, type TestDatabase } from "./test-database.js";

let database: TestDatabase;
const opened: Database[] = [];
beforeAll(async () => {
  database = await freshTestDatabase(tmpdir(), "postgresql");
});
afterAll(async () => {
  await Promise.all(opened.map((db) => db.$disconnect()));
  await database?.drop();
});

async function open(options?: { idleInTransactionTimeoutMs?: number }): Promise<Database> {
  const db = await openDatabase(database.url, options);
  opened.push(db);
  return db;
}

it("ends a session left idle inside a transaction, so the locks of a frozen replica are let go", async () => {
  const other = await open();
  expect(await other.$queryRawUnsafe("SHOW idle_in_transaction_session_timeout")).toEqual([{ idle_in_transaction_session_timeout: "30s" }]);
  await other.$executeRawUnsafe(`CREATE TABLE "Held" ("id" integer PRIMARY KEY, "value" integer NOT NULL)`);
  await other.$executeRawUnsafe(`INSERT INTO "Held" VALUES (1, 0)`);

  const frozen = await open({ idleInTransactionTimeoutMs: 500 });
  let lockTaken!: () => void;
  const locked = new Promise<void>((resolve) => (lockTaken = resolve));
  let thaw!: () => void;
  const thawed = new Promise<void>((resolve) => (thaw = resolve));
  const held = frozen.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`UPDATE "Held" SET "value" = 1 WHERE "id" = 1`);
      lockTaken();
      await thawed; // no statement meanwhile: idle in transaction, as a stopped process would be
      await tx.$executeRawUnsafe(`UPDATE "Held" SET "value" = 2 WHERE "id" = 1`);
    },
    { timeout: 120_000 },
  );
  held.catch(() => undefined);
  await locked;
  // Without the server-side timeout this waits for the frozen transaction's lock for ever.
  await other.$executeRawUnsafe(`UPDATE "Held" SET "value" = 3 WHERE "id" = 1`);
  thaw();
  await expect(held).rejects.toThrow();
  expect(await other.$queryRawUnsafe(`SELECT "value" FROM "Held"`)).toEqual([{ value: 3 }]);
});
