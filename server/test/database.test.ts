// What the control plane's database connections guarantee, each on the database it is about
// (whichever provider the suite runs): on PostgreSQL a replica frozen inside a transaction does not
// hold its row locks for good; on SQLite a write outside a transaction is never part of another.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../src/db.js";
import { freshTestDatabase, type TestDatabase, type TestProvider } from "./test-database.js";

const opened: Database[] = [];
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(opened.map((db) => db.$disconnect()));
  await Promise.all(databases.map((database) => database.drop()));
});

async function fresh(provider: TestProvider): Promise<TestDatabase> {
  const database = await freshTestDatabase(mkdtempSync(path.join(tmpdir(), "slipway-db-")), provider);
  databases.push(database);
  return database;
}

async function open(database: TestDatabase, options?: { idleInTransactionTimeoutMs?: number }): Promise<Database> {
  const db = await openDatabase(database.url, options);
  opened.push(db);
  return db;
}

/** A gate a test opens: `passed` resolves once `open()` is called. */
function gate(): { passed: Promise<void>; open: () => void } {
  let open!: () => void;
  const passed = new Promise<void>((resolve) => (open = resolve));
  return { passed, open };
}

describe("PostgreSQL", () => {
  it("ends a session left idle inside a transaction, so the locks of a frozen replica are let go", async () => {
    const database = await fresh("postgresql");
    const other = await open(database);
    expect(await other.$queryRawUnsafe("SHOW idle_in_transaction_session_timeout")).toEqual([{ idle_in_transaction_session_timeout: "30s" }]);
    await other.$executeRawUnsafe(`CREATE TABLE "Held" ("id" integer PRIMARY KEY, "value" integer NOT NULL)`);
    await other.$executeRawUnsafe(`INSERT INTO "Held" VALUES (1, 0)`);

    const frozen = await open(database, { idleInTransactionTimeoutMs: 500 });
    const locked = gate();
    const thawed = gate();
    const held = frozen.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(`UPDATE "Held" SET "value" = 1 WHERE "id" = 1`);
        locked.open();
        await thawed.passed; // no statement meanwhile: idle in transaction, as a stopped process would be
        await tx.$executeRawUnsafe(`UPDATE "Held" SET "value" = 2 WHERE "id" = 1`);
      },
      { timeout: 120_000 },
    );
    held.catch(() => undefined);
    await locked.passed;
    // Without the server-side timeout this waits for the frozen transaction's lock for ever.
    await other.$executeRawUnsafe(`UPDATE "Held" SET "value" = 3 WHERE "id" = 1`);
    thawed.open();
    await expect(held).rejects.toThrow();
    expect(await other.$queryRawUnsafe(`SELECT "value" FROM "Held"`)).toEqual([{ value: 3 }]);
  });
});

describe("SQLite", () => {
  it("keeps a write made outside a transaction out of it: the transaction's rollback leaves it, and it never sees the transaction's writes", async () => {
    const db = await open(await fresh("sqlite"));
    await db.$executeRawUnsafe(`CREATE TABLE "Entry" ("name" TEXT PRIMARY KEY)`);
    const inside = gate();
    const carryOn = gate();
    const failing = db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`INSERT INTO "Entry" VALUES ('refused')`);
      inside.open();
      await carryOn.passed;
      throw new Error("the claim was refused");
    });
    failing.catch(() => undefined);
    await inside.passed;
    // Another request writes and reads while the transaction is open.
    const outside = db.$executeRawUnsafe(`INSERT INTO "Entry" VALUES ('recorded')`).then(() => db.$queryRawUnsafe(`SELECT "name" FROM "Entry" ORDER BY "name"`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    carryOn.open();
    await expect(failing).rejects.toThrow("the claim was refused");
    expect(await outside).toEqual([{ name: "recorded" }]);
    expect(await db.$queryRawUnsafe(`SELECT "name" FROM "Entry"`)).toEqual([{ name: "recorded" }]);
  });
});
