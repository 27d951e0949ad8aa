// Sign-in throttling's policy (free failures, doubling waits, the cap, forgetting) on each store of
// failed sign-ins: the in-process one, and Redis (a real redis-server) seen by two "replicas" on
// two connections. A test clock moves time, so waits are checked without waiting.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LoginGuard, type LoginGuardPolicy } from "../src/domain/auth/login-guard.js";
import { RateLimitedError } from "../src/domain/errors.js";
import type { SignInFailures } from "../src/domain/ports.js";
import { InProcessSignInFailures } from "../src/infra/in-process/sign-in-failures.js";
import { connectRedis } from "../src/infra/redis/connection.js";
import { RedisSignInFailures } from "../src/infra/redis/sign-in-failures.js";
import { startTestRedis } from "./redis-server.js";

const POLICY: LoginGuardPolicy = { freeFailuresPerAccount: 3, freeFailuresPerAddress: 5, baseDelayMs: 1_000, maxDelayMs: 8_000, forgetAfterMs: 60_000 };
const EMAIL = "guessed@example.test";
const ADDRESS = "203.0.113.9";

let redis: Awaited<ReturnType<typeof startTestRedis>>;
const connections: Redis[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  connections.push(await connectRedis(redis.url, "replica-a"), await connectRedis(redis.url, "replica-b"));
});
afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  await redis?.close();
});

/** Two replicas' stores: one shared object in process, or one Redis through two connections. */
const stores: Record<string, () => Promise<[SignInFailures, SignInFailures]>> = {
  "in process": async () => {
    const store = new InProcessSignInFailures();
    return [store, store];
  },
  Redis: async () => {
    await connections[0]!.flushdb();
    return [new RedisSignInFailures(connections[0]!), new RedisSignInFailures(connections[1]!)];
  },
};

/** How long `check` says to wait, in seconds; 0 when it lets the attempt through. */
async function waitOf(guard: LoginGuard, account: string, address?: string): Promise<number> {
  try {
    await guard.check(account, address);
    return 0;
  } catch (error) {
    if (!(error instanceof RateLimitedError)) throw error;
    return error.retryAfterSeconds;
  }
}

describe.each(Object.keys(stores))("sign-in throttling, failures stored %s", (storeName) => {
  let now: number;
  let clock: { now(): Date };
  let a: LoginGuard;
  let b: LoginGuard;
  let failures: [SignInFailures, SignInFailures];

  beforeEach(async () => {
    now = Date.parse("2026-12-01T10:00:00.000Z");
    clock = { now: () => new Date(now) };
    failures = await stores[storeName]!();
    a = new LoginGuard(failures[0], clock, POLICY);
    b = new LoginGuard(failures[1], clock, POLICY);
  });

  it("lets the free failures through, then makes the account wait twice as long after each, up to the cap", async () => {
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      await a.recordFailure(EMAIL, undefined);
      waits.push(await waitOf(a, EMAIL));
    }
    expect(waits).toEqual([0, 0, 1, 2, 4, 8, 8, 8]);
    // Another account is not held up.
    expect(await waitOf(a, "other@example.test")).toBe(0);
  });

  it("counts a wait from the last failure, and lets the next attempt through once it has passed", async () => {
    for (let i = 0; i < 4; i++) await a.recordFailure(EMAIL, undefined);
    now += 1_999;
    expect(await waitOf(a, EMAIL)).toBe(1);
    await expect(a.check(EMAIL, undefined)).rejects.toThrow("Too many attempts: try again in 1 s");
    now += 1;
    expect(await waitOf(a, EMAIL)).toBe(0);
    // The count stays: the next failure waits twice as long again.
    await a.recordFailure(EMAIL, undefined);
    expect(await waitOf(a, EMAIL)).toBe(4);
  });

  it("counts an address's failures over every account, and holds every account tried from it", async () => {
    for (let i = 0; i < 5; i++) await a.recordFailure(`user-${i}@example.test`, ADDRESS);
    expect(await waitOf(a, "user-0@example.test", ADDRESS)).toBe(1);
    expect(await waitOf(a, "never-tried@example.test", ADDRESS)).toBe(1);
    // The same accounts from elsewhere, or without an address (changePassword), are not held up.
    expect(await waitOf(a, "never-tried@example.test", "198.51.100.7")).toBe(0);
    expect(await waitOf(a, "user-0@example.test")).toBe(0);
  });

  it("clears an account's count on success, not its address's", async () => {
    for (let i = 0; i < 3; i++) await a.recordFailure(EMAIL, ADDRESS);
    expect(await waitOf(a, EMAIL)).toBe(1);
    await a.recordSuccess(EMAIL);
    expect(await waitOf(a, EMAIL)).toBe(0);
    await a.recordFailure(EMAIL, ADDRESS); // the address's 4th, the account's 1st again
    expect(await waitOf(a, EMAIL)).toBe(0);
    await a.recordFailure("other@example.test", ADDRESS); // the address's 5th
    expect(await waitOf(a, EMAIL, ADDRESS)).toBe(1);
  });

  it("forgets a count an hour (forgetAfterMs) after its last failure, not before", async () => {
    for (let i = 0; i < 6; i++) await a.recordFailure(EMAIL, undefined);
    now += POLICY.forgetAfterMs;
    await a.recordFailure(EMAIL, undefined); // still remembered: the 7th
    expect(await waitOf(a, EMAIL)).toBe(8);
    now += POLICY.forgetAfterMs + 1;
    expect(await waitOf(a, EMAIL)).toBe(0);
    await a.recordFailure(EMAIL, undefined);
    await a.recordFailure(EMAIL, undefined);
    expect(await waitOf(a, EMAIL)).toBe(0); // the 1st and 2nd again
  });

  it("treats an email's case as one account", async () => {
    for (let i = 0; i < 3; i++) await a.recordFailure(i % 2 ? EMAIL.toUpperCase() : EMAIL, undefined);
    expect(await waitOf(a, "Guessed@Example.TEST")).toBe(1);
  });

  it("shares the count between replicas: failures on one hold the account on the other", async () => {
    await a.recordFailure(EMAIL, ADDRESS);
    await b.recordFailure(EMAIL, ADDRESS);
    await a.recordFailure(EMAIL, ADDRESS);
    expect(await waitOf(b, EMAIL, ADDRESS)).toBe(1);
    await b.recordFailure(EMAIL, ADDRESS);
    expect(await waitOf(a, EMAIL, ADDRESS)).toBe(2);
    await b.recordSuccess(EMAIL);
    expect(await waitOf(a, EMAIL)).toBe(0);
  });

  it("counts every one of many failures recorded at once from both replicas", async () => {
    const counts = await Promise.all(Array.from({ length: 200 }, (_, i) => failures[i % 2]!.add("account:burst", now, POLICY.forgetAfterMs)));
    // Each add saw a count of its own: none was lost to another at the same moment.
    expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await failures[1].get("account:burst", now, POLICY.forgetAfterMs)).toEqual({ count: 200, lastAt: now });

    // Through the guards, with a cap high enough for the wait to tell the count: 10 failures wait 2^(10 - 3) s.
    const uncapped = { ...POLICY, maxDelayMs: 3_600_000 };
    const [onA, onB] = [new LoginGuard(failures[0], clock, uncapped), new LoginGuard(failures[1], clock, uncapped)];
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? onA : onB).recordFailure(EMAIL, ADDRESS)));
    expect(await waitOf(onB, EMAIL)).toBe(128);
    expect(await waitOf(onA, "someone-else@example.test", ADDRESS)).toBe(32); // the address: 2^(10 - 5) s
  });
});

describe("sign-in failures in Redis", () => {
  beforeEach(async () => void (await connections[0]!.flushdb()));

  it("keeps no email or address in clear, and lets every key expire when it would be forgotten", async () => {
    const guard = new LoginGuard(new RedisSignInFailures(connections[0]!), { now: () => new Date() }, POLICY);
    await guard.recordFailure(EMAIL, ADDRESS);
    await guard.recordFailure("Second@Example.test", undefined);
    const keys = (await connections[0]!.keys("*")).sort();
    expect(keys).toHaveLength(3);
    for (const key of keys) expect(key).toMatch(/^slipway:sign-in-failures:(account|address):[0-9a-f]{32}$/);
    const stored = JSON.stringify(await Promise.all(keys.map((key) => connections[0]!.hgetall(key))));
    expect(`${keys.join(" ")} ${stored}`.toLowerCase()).not.toMatch(/example|203\.0\.113|guessed|second/);
    for (const key of keys) {
      const ttl = await connections[0]!.pttl(key);
      expect(ttl).toBeGreaterThan(POLICY.forgetAfterMs - 5_000);
      expect(ttl).toBeLessThanOrEqual(POLICY.forgetAfterMs);
    }
  });

  it("keeps the time of the last failure to the millisecond, and never moves it back", async () => {
    const store = new RedisSignInFailures(connections[0]!);
    const at = Date.parse("2026-12-01T10:00:00.123Z");
    await store.add("account:x", at, POLICY.forgetAfterMs);
    await store.add("account:x", at - 500, POLICY.forgetAfterMs); // a replica whose clock is a little behind
    expect(await store.get("account:x", at, POLICY.forgetAfterMs)).toEqual({ count: 2, lastAt: at });
    await store.clear("account:x");
    expect(await store.get("account:x", at, POLICY.forgetAfterMs)).toBeUndefined();
  });
});
