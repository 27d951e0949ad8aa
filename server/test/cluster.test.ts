// Cluster mode: replicas of the control plane sharing one PostgreSQL database and one Redis (real
// servers: PostgreSQL 15 from prisma/scripts/ci-postgres.sh, redis-server started per file).
// The replicas here are built in this process with buildApp(), each with its own data directory,
// HTTP port and WebSocket endpoint; the kill -9 scenario with separate processes is in
// cluster-takeover.test.ts.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../src/config.js";
import { defineOperation } from "../src/domain/operations/operation.js";
import { startOperation } from "../src/domain/operations/start-operation.js";
import type { ScheduledTask } from "../src/domain/ports.js";
import { RedisRateBudget } from "../src/infra/redis/rate-budget.js";
import { connectRedis } from "../src/infra/redis/connection.js";
import { takeFromBudget } from "../src/integrations/rate-budget.js";
import { collect, gid, startTestServer, type Event, type TestServer } from "./harness.js";
import { startTestRedis } from "./redis-server.js";
import { freshTestDatabase, type TestDatabase } from "./test-database.js";

const EVENTS = `subscription($id: ID!, $after: Int) { operationEvents(operationId: $id, afterSeq: $after) { seq step level message serverId } }`;
const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) { __typename } }`;
const LOGIN = `mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { __typename ... on RateLimitedError { retryAfterSeconds } } }`;
const SECRET_KEY = randomBytes(32).toString("base64");

// Emits one event each time the test opens a gate, so a subscriber can join and drop at chosen points.
const gates: (() => void)[] = [];
const gated = defineOperation({
  name: "test-gated",
  kind: "DEPLOY",
  input: z.object({ count: z.number() }),
  async run(_deps, ctx, input) {
    for (let i = 0; i < input.count; i++) {
      await new Promise<void>((resolve) => gates.push(resolve));
      await ctx.emit({ step: "gated", message: `event ${i}` });
    }
  },
});

// One run per slot, recorded with the time its slot was due; two replicas share the schedule.
const ticks: { replica: string; dueAt: number }[] = [];
const TICK_MS = 2_000;
const tick = (replica: string): ScheduledTask => ({ name: "test-tick", everyMs: TICK_MS, run: async (dueAt) => void ticks.push({ replica, dueAt }) });

// Sign-in throttling whose first wait (60 s) is long enough to read, after an account's 10th failure;
// every test here signs in from 127.0.0.1, so the address's allowance is out of the way.
const LOGIN_GUARD_POLICY = { freeFailuresPerAccount: 10, freeFailuresPerAddress: 1_000, baseDelayMs: 60_000, maxDelayMs: 3_600_000, forgetAfterMs: 3_600_000 };

let redis: Awaited<ReturnType<typeof startTestRedis>>;
let database: TestDatabase;
let a: TestServer;
let b: TestServer;

async function replica(name: string): Promise<TestServer> {
  return startTestServer(
    { SLIPWAY_REDIS_URL: redis.url, SLIPWAY_SECRET_KEY: SECRET_KEY, SLIPWAY_OPERATION_LEASE_SECONDS: "3" },
    mkdtempSync(path.join(tmpdir(), `slipway-${name}-`)),
    { database, extraOperations: [gated], extraScheduledTasks: [tick(name)], loginGuardPolicy: LOGIN_GUARD_POLICY },
  );
}

beforeAll(async () => {
  redis = await startTestRedis();
  database = await freshTestDatabase(tmpdir(), "postgresql");
  // Two replicas starting together on an empty database: one migrates, both come up.
  [a, b] = await Promise.all([replica("replica-a"), replica("replica-b")]);
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await database?.drop();
  await redis?.close();
});

async function openGates(count: number): Promise<void> {
  for (let opened = 0; opened < count; opened++) {
    while (gates.length === 0) await new Promise((r) => setTimeout(r, 5));
    gates.shift()!();
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("cluster mode", { timeout: 120_000 }, () => {
  it("refuses to start on SQLite or without a shared secret key, saying what to set", () => {
    expect(() => loadConfig({ SLIPWAY_REDIS_URL: "redis://127.0.0.1:6379", SLIPWAY_SECRET_KEY: SECRET_KEY })).toThrow(
      "Invalid configuration: cluster mode (SLIPWAY_REDIS_URL) needs PostgreSQL: set DATABASE_URL=postgresql://… (SQLite is one process's file)",
    );
    expect(() => loadConfig({ SLIPWAY_REDIS_URL: "redis://127.0.0.1:6379", DATABASE_URL: "postgresql://x@127.0.0.1/x" })).toThrow(
      /cluster mode \(SLIPWAY_REDIS_URL\) needs SLIPWAY_SECRET_KEY, the same on every replica/,
    );
    expect(() => loadConfig({ SLIPWAY_REDIS_URL: "http://127.0.0.1:6379" })).toThrow(/SLIPWAY_REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it("two replicas that started together share one migrated database and one SSH identity", async () => {
    const migrations = await a.app.deps.db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM _prisma_migrations`);
    const failed = await a.app.deps.db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM _prisma_migrations WHERE finished_at IS NULL`);
    expect(Number(migrations[0]!.n)).toBeGreaterThan(0);
    expect(Number(failed[0]!.n)).toBe(0);
    expect(a.app.deps.connections.identity()).toEqual(b.app.deps.connections.identity());
    expect(a.app.deps.instanceId).not.toBe(b.app.deps.instanceId);
    expect(await a.app.deps.db.controlPlaneKey.count()).toBe(1);
  });

  it("streams every event of an operation running on one replica to a subscriber on the other, once and in order, across a dropped socket", async () => {
    const operation = await startOperation(a.app.deps, gated, { count: 12 }, { title: "cross-replica" });
    await openGates(1);
    const running = await waitFor("the operation to be claimed", async () => {
      const row = await a.app.deps.db.operation.findUniqueOrThrow({ where: { id: operation.id } });
      return row.ownerId ? row : undefined;
    });
    // Subscribe on the replica that does NOT run it.
    const [owner, other] = running.ownerId === a.app.deps.instanceId ? [a, b] : [b, a];
    expect(owner.app.deps.instanceId).toBe(running.ownerId);

    const firstClient = other.ws(other.adminToken);
    const first = collect<{ operationEvents: Event }>(firstClient, EVENTS, { id: gid("Operation", operation.id) });
    await openGates(5);
    await waitFor("six events on the other replica", async () => (first.values.length >= 6 ? true : undefined));
    // The socket drops without a goodbye; the client resumes after the last event it saw.
    await firstClient.terminate();
    const lastSeen = first.values.at(-1)!.operationEvents.seq;
    await openGates(2); // emitted while nobody listens on the other replica
    const resumed = collect<{ operationEvents: Event }>(other.ws(other.adminToken), EVENTS, { id: gid("Operation", operation.id), after: lastSeen });
    await openGates(4);
    const { values, errors } = await resumed.done;
    expect(errors).toEqual([]);
    const seqs = [...first.values, ...values].map((v) => v.operationEvents.seq);
    expect(seqs).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(values.at(-1)!.operationEvents).toMatchObject({ step: "finished", message: "Succeeded" });
  });

  it("runs a scheduled task once per slot across both replicas", async () => {
    ticks.length = 0;
    await new Promise((r) => setTimeout(r, 30_000));
    const due = ticks.map((r) => r.dueAt).sort((x, y) => x - y);
    // About one slot every TICK_MS (two replicas each running the schedule would double it), never
    // two runs of one slot, and the slots on one grid TICK_MS apart (when they were due, not when a
    // busy machine got to them).
    expect(due.length).toBeGreaterThanOrEqual(12);
    expect(due.length).toBeLessThanOrEqual(16);
    expect(new Set(due).size).toBe(due.length);
    for (let i = 1; i < due.length; i++) expect((due[i]! - due[i - 1]!) % TICK_MS, due.join(" ")).toBe(0);
  });

  it("enqueues again, once, an operation started while Redis was unreachable", async () => {
    await redis.stop();
    // The mutation side stores the operation and does not fail; the queue cannot take it now.
    const started = startOperation(a.app.deps, gated, { count: 1 }, { title: "while Redis was down" });
    const operation = await Promise.race([started, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("startOperation hung")), 20_000))]).catch(
      async (error: unknown) => {
        await redis.start();
        throw error;
      },
    );
    expect(operation.status).toBe("QUEUED");
    await redis.start();
    await openGates(1);
    const ended = await waitFor(
      "the requeued operation to finish",
      async () => {
        if (gates.length > 0) await openGates(gates.length);
        const row = await a.app.deps.db.operation.findUniqueOrThrow({ where: { id: operation.id } });
        return row.status === "SUCCEEDED" ? row : undefined;
      },
      60_000,
    );
    const events = await a.app.deps.db.operationEvent.findMany({ where: { operationId: ended.id }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.message)).toEqual(["event 0", "Succeeded"]);
  });

  it("shares a provider's request budget between replicas", async () => {
    const [one, two] = await Promise.all([connectRedis(redis.url, "budget-a"), connectRedis(redis.url, "budget-b")]);
    try {
      const budgets = [new RedisRateBudget(one), new RedisRateBudget(two)];
      const limit = { requests: 5, windowMs: 1_000 };
      const key = `test-${randomBytes(4).toString("hex")}`;
      const take = (budget: RedisRateBudget) => takeFromBudget(budget, key, [limit], () => undefined, (ms) => new Promise((r) => setTimeout(r, ms)));
      const t0 = Date.now();
      const granted: number[] = [];
      await Promise.all(Array.from({ length: 15 }, (_, i) => take(budgets[i % 2]!).then(() => void granted.push(Date.now() - t0))));
      granted.sort((x, y) => x - y);
      // 15 requests at 5 per second from two replicas: never more than 5 inside any one second.
      for (let i = 5; i < granted.length; i++) expect(granted[i]! - granted[i - 5]!).toBeGreaterThanOrEqual(limit.windowMs - 20);
      expect(granted.at(-1)!).toBeGreaterThanOrEqual(2 * limit.windowMs - 20);

      await budgets[0]!.block(key, 1_500);
      const blockedAt = Date.now();
      await take(budgets[1]!);
      expect(Date.now() - blockedAt).toBeGreaterThanOrEqual(1_400);
    } finally {
      one.disconnect();
      two.disconnect();
    }
  });

  describe("sign-in throttling", () => {
    const PASSWORD = "a long enough passphrase";
    const createAccount = async (email: string) => {
      const created = await a.gql(CREATE_USER, { input: { email, name: "Guessed", password: PASSWORD, role: "MEMBER" } }, a.adminToken);
      expect(created.data.createUser.__typename).toBe("MutationCreateUserSuccess");
    };
    const attempt = async (replica: TestServer, email: string, password: string) =>
      (await replica.gql<{ login: { __typename: string; retryAfterSeconds?: number } }>(LOGIN, { email, password })).data!.login;
    /** The next sign-in, with the right password, on each replica: refused for about the first wait (60 s). */
    const expectHeldOnBoth = async (email: string) => {
      for (const replica of [b, a]) {
        const next = await attempt(replica, email, PASSWORD);
        expect(next.__typename).toBe("RateLimitedError");
        expect(next.retryAfterSeconds).toBeGreaterThan(45);
        expect(next.retryAfterSeconds).toBeLessThanOrEqual(60);
      }
    };

    it("holds an account on every replica after failures on one", async () => {
      const email = "guessed-on-a@example.test";
      await createAccount(email);
      for (let i = 0; i < 10; i++) expect(await attempt(a, email, `wrong-${i}`)).toEqual({ __typename: "InvalidCredentialsError" });
      await expectHeldOnBoth(email);
    });

    it("counts every failure of a burst split over both replicas", async () => {
      const email = "guessed-in-a-burst@example.test";
      await createAccount(email);
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(i % 2 ? a : b, email, `wrong-${i}`)));
      // None could be refused (only the 10th failure makes the account wait), so each was counted...
      expect(answers.map((answer) => answer.__typename)).toEqual(Array(10).fill("InvalidCredentialsError"));
      // ...and the wait says exactly 10: 9 would not hold the account at all, 11 would wait 120 s.
      await expectHeldOnBoth(email);
    });
  });
});
