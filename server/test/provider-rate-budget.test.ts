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

/** What a provider's client is built with here. */
interface ClientWiring {
  budget: RateBudget;
  limits: readonly RateLimit[];
  dispatcher: Dispatcher;
  onEvent: (event: WaitEvent) => void;
}

interface SimulatedProvider {
  token: string;
  /** The next call is answered 429, telling the client to wait about this long. */
  rateLimitNext(seconds: number): void;
  /** A client of the simulator; returns one API call. */
  client(wiring: ClientWiring): () => Promise<unknown>;
  close(): Promise<void>;
}

const providers: Record<string, () => Promise<SimulatedProvider>> = {
  DigitalOcean: async () => {
    const sim = await startDigitalOceanSimulator({ actionDelayMs: 20, provider: new NullHostProvider() });
    return {
      token: sim.token,
      rateLimitNext: (seconds) => void sim.faults.rateLimitNext(1, { retryAfterSeconds: seconds }),
      client({ budget, limits, dispatcher, onEvent }) {
        const client = new DigitalOceanClient({
          token: sim.token, apiUrl: sim.url, rateBudget: budget, rateLimit: { limits, totalWaitMs: 30_000 }, dispatcher, onEvent,
        });
        return () => client.getAccount();
      },
      close: () => sim.close(),
    };
  },
  Cloudflare: async () => {
    const sim = await startCloudflareSimulator({ zones: ["example.test"] });
    return {
      token: sim.token,
      rateLimitNext: (seconds) => void sim.faults.rateLimitNext(1, { retryAfterSeconds: seconds }),
      client({ budget, limits, dispatcher, onEvent }) {
        const client = new CloudflareClient({ token: sim.token, apiUrl: sim.url, rateBudget: budget, rateLimit: { limits }, dispatcher, onEvent });
        return () => client.findZone("example.test");
      },
      close: () => sim.close(),
    };
  },
};

const agents: Agent[] = [];

/** A replica's client on `budget`, noting when each request goes out and each wait it is told about. */
function replica(provider: SimulatedProvider, budget: RateBudget, limits: readonly RateLimit[], onWait?: (event: WaitEvent) => void): Replica {
  const sentAt: number[] = [];
  const waits: WaitEvent[] = [];
  const agent = new Agent();
  agents.push(agent);
  const dispatcher = agent.compose((dispatch: Dispatcher["dispatch"]) => (options, handler) => {
    sentAt.push(Date.now());
    return dispatch(options, handler);
  });
  const call = provider.client({ budget, limits, dispatcher, onEvent: (event) => (waits.push(event), onWait?.(event)) });
  return { call, sentAt, waits };
}

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
        const replicas = [replica(provider, a, [limit]), replica(provider, b, [limit])];
        await Promise.all(replicas.flatMap((replica) => [replica.call(), replica.call(), replica.call()]));
        const sent = replicas.flatMap((replica) => replica.sentAt).sort((x, y) => x - y);
        expect(sent).toHaveLength(6);
        // Never more than three inside any one second, counting both replicas (each window is held a
        // little longer than the provider's, so the time a request takes to go out never breaks it).
        for (let i = 3; i < sent.length; i++) expect(sent[i]! - sent[i - 3]!).toBeGreaterThanOrEqual(limit.windowMs);
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
        const first = replica(provider, a, [], (event) => event.cause === "429" && onBlocked(event));
        const second = replica(provider, b, []);
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
        const client = replica(provider, keyRecording(a, keys), [{ requests: 100, windowMs: 60_000 }]);
        provider.rateLimitNext(1);
        await client.call();
        expect(client.sentAt).toHaveLength(2); // a 429, a block, the call again
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
