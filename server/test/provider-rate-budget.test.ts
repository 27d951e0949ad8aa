// Provider rate limits shared by replicas: the DigitalOcean and Cloudflare clients against the lab's
// simulators over real HTTP, two clients ("replicas") on one budget — one in-process object, or
// two Redis connections to a real redis-server.
import { startCloudflareSimulator } from "@slipway/lab/cloudflare";
import { NullHostProvider, startDigitalOceanSimulator } from "@slipway/lab/digitalocean";
import type { Redis } from "ioredis";
import { Agent, type Dispatcher } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RateBudget, RateLimit } from "../src/domain/ports.js";
import { InProcessRateBudget } from "../src/infra/in-process/rate-budget.js";
import { connectRedis } from "../src/infra/redis/connection.js";
import { RedisRateBudget } from "../src/infra/redis/rate-budget.js";
import { CloudflareClient } from "../src/integrations/cloudflare/index.js";
import { DigitalOceanClient } from "../src/integrations/digitalocean/index.js";
import { startTestRedis } from "./redis-server.js";

type WaitEvent = { kind: string; delayMs: number; cause?: string };

/** One replica's client: what it sent (and when), the waits it was told about. */
interface Replica {
  call(): Promise<unknown>;
  sentAt: number[];
  waits: WaitEvent[];
}

interface SimulatedProvider {
  url: string;
  token: string;
  /** The next call is answered 429, telling the client to wait about this long. */
  rateLimitNext(seconds: number): void;
  replica(budget: RateBudget, limits: readonly RateLimit[], onWait?: (event: WaitEvent) => void): Replica;
  close(): Promise<void>;
}

const agents: Agent[] = [];

/** A dispatcher that notes when each request goes out. */
function recordingDispatcher(sentAt: number[]): Dispatcher {
  const agent = new Agent();
  agents.push(agent);
  return agent.compose((dispatch: Dispatcher["dispatch"]) => (options, handler) => {
    sentAt.push(Date.now());
    return dispatch(options, handler);
  });
}

const providers: Record<string, () => Promise<SimulatedProvider>> = {
  DigitalOcean: async () => {
    const sim = await startDigitalOceanSimulator({ actionDelayMs: 20, provider: new NullHostProvider() });
    return {
      url: sim.url,
      token: sim.token,
      rateLimitNext: (seconds) => void sim.faults.rateLimitNext(1, { retryAfterSeconds: seconds }),
      replica(budget, limits, onWait) {
        const sentAt: number[] = [];
        const waits: WaitEvent[] = [];
        const client = new DigitalOceanClient({
          token: sim.token, apiUrl: sim.url, rateBudget: budget, rateLimit: { limits, totalWaitMs: 30_000 },
          dispatcher: recordingDispatcher(sentAt), onEvent: (event) => (waits.push(event), onWait?.(event)),
        });
        return { call: () => client.getAccount(), sentAt, waits };
      },
      close: () => sim.close(),
    };
  },
  Cloudflare: async () => {
    const sim = await startCloudflareSimulator({ zones: ["example.test"] });
    return {
      url: sim.url,
      token: sim.token,
      rateLimitNext: (seconds) => void sim.faults.rateLimitNext(1, { retryAfterSeconds: seconds }),
      replica(budget, limits, onWait) {
        const sentAt: number[] = [];
        const waits: WaitEvent[] = [];
        const client = new CloudflareClient({
          token: sim.token, apiUrl: sim.url, rateBudget: budget, rateLimit: { limits },
          dispatcher: recordingDispatcher(sentAt), onEvent: (event) => (waits.push(event), onWait?.(event)),
        });
        return { call: () => client.findZone("example.test"), sentAt, waits };
      },
      close: () => sim.close(),
    };
  },
};

/** The real budget, noting every key it is asked about. */
function keyRecording(budget: RateBudget, keys: Set<string>): RateBudget {
  return {
    tryTake: (key, limits) => (keys.add(key), budget.tryTake(key, limits)),
    block: (key, forMs) => (keys.add(key), budget.block(key, forMs)),
  };
}

let redis: Awaited<ReturnType<typeof startTestRedis>>;
const connections: Redis[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  for (const name of ["replica-a", "replica-b"]) connections.push(await connectRedis(redis.url, name));
});

afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  for (const agent of agents) await agent.close();
  await redis?.close();
});

/** Two replicas' budgets: the same in-process object, or one Redis connection each. */
const budgetKinds: Record<string, () => [RateBudget, RateBudget]> = {
  "in process": () => {
    const shared = new InProcessRateBudget();
    return [shared, shared];
  },
  Redis: () => [new RedisRateBudget(connections[0]!), new RedisRateBudget(connections[1]!)],
};

describe.each(Object.keys(budgetKinds))("a budget shared %s", (kind) => {
  it("counts each request against every window: a longer window holds once a shorter one has room", async () => {
    const [budget] = budgetKinds[kind]!();
    const key = `test:${kind}:${Date.now()}`;
    const limits = [{ requests: 2, windowMs: 200 }, { requests: 3, windowMs: 1_500 }];
    expect([await budget.tryTake(key, limits), await budget.tryTake(key, limits)]).toEqual([0, 0]);
    const minuteWait = await budget.tryTake(key, limits);
    expect(minuteWait).toBeGreaterThan(0);
    expect(minuteWait).toBeLessThanOrEqual(200);
    await new Promise((resolve) => setTimeout(resolve, minuteWait));
    expect(await budget.tryTake(key, limits)).toBe(0);
    // Three in 1.5 s: the fourth must wait for the first to leave the longer window.
    expect(await budget.tryTake(key, limits)).toBeGreaterThan(1_000);
  });

  describe.each(Object.keys(providers))("%s", (providerName) => {
    it("holds requests past the budget instead of sending them, whichever replica asks", async () => {
      const provider = await providers[providerName]!();
      try {
        const [a, b] = budgetKinds[kind]!();
        const limit = { requests: 3, windowMs: 1_000 };
        const replicas = [provider.replica(a, [limit]), provider.replica(b, [limit])];
        await Promise.all(replicas.flatMap((replica) => [replica.call(), replica.call(), replica.call()]));
        const sent = replicas.flatMap((replica) => replica.sentAt).sort((x, y) => x - y);
        expect(sent).toHaveLength(6);
        // Never more than three inside any one second, counting both replicas.
        for (let i = 3; i < sent.length; i++) expect(sent[i]! - sent[i - 3]!).toBeGreaterThanOrEqual(limit.windowMs - 50);
        expect(replicas.flatMap((replica) => replica.waits).filter((w) => w.kind === "rate-limited" && w.cause === "budget").length).toBeGreaterThanOrEqual(3);
      } finally {
        await provider.close();
      }
    });

    it("a 429 met by one replica blocks the budget: the other waits it out before sending", async () => {
      const provider = await providers[providerName]!();
      try {
        const [a, b] = budgetKinds[kind]!();
        let onBlocked: (event: WaitEvent) => void = () => undefined;
        const blocked = new Promise<WaitEvent>((resolve, reject) => {
          onBlocked = resolve;
          setTimeout(() => reject(new Error("the first replica never waited out its 429")), 5_000);
        });
        const first = provider.replica(a, [], (event) => event.cause === "429" && onBlocked(event));
        const second = provider.replica(b, []);
        provider.rateLimitNext(2);
        const firstCall = first.call();
        const block = await blocked;
        const blockedAt = Date.now();
        expect(block.delayMs).toBeGreaterThan(900);
        await Promise.all([firstCall, second.call()]);
        // The second replica never met the 429 itself: it held its one request until the block lifted.
        expect(second.sentAt).toHaveLength(1);
        expect(second.sentAt[0]! - blockedAt).toBeGreaterThanOrEqual(block.delayMs - 100);
        expect(second.waits.map((w) => w.cause)).toEqual(["budget"]);
        expect(first.sentAt).toHaveLength(2);
      } finally {
        await provider.close();
      }
    });

    it("keys the budget by a hash of the token: the token is never a key, in Redis or anywhere", async () => {
      const provider = await providers[providerName]!();
      try {
        const keys = new Set<string>();
        const [a] = budgetKinds[kind]!();
        const replica = provider.replica(keyRecording(a, keys), [{ requests: 100, windowMs: 60_000 }]);
        provider.rateLimitNext(1);
        await replica.call(); // a 429, a block, then the call again
        expect([...keys]).toEqual([expect.stringMatching(new RegExp(`^${providerName.toLowerCase()}:[0-9a-f]{32}$`))]);
        const stored = kind === "Redis" ? await connections[0]!.keys("*") : [];
        if (kind === "Redis") expect(stored).toContain(`slipway:budget:${[...keys][0]}`);
        for (const key of [...keys, ...stored]) {
          expect(key).not.toContain(provider.token);
          expect(key).not.toContain(provider.token.slice(-12));
        }
      } finally {
        await provider.close();
      }
    });
  });
});
