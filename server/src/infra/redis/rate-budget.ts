import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { RateBudget } from "../../domain/ports.js";

// A sliding window per key in a sorted set, decided in one script so replicas never both take the
// last slot. Returns 0 when a request was counted, else how many ms to wait. Redis's clock, so
// replicas' clocks need not agree.
const TAKE = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > ms then return blocked - ms end
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], ms, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - ms)
`;

const BLOCK = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local untilMs = ms + tonumber(ARGV[1])
if untilMs > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], untilMs, 'PX', ARGV[1]) end
return 0
`;

/** Provider request budgets shared by every replica (DigitalOcean 250/min, Cloudflare 1,200/5 min per token). */
export class RedisRateBudget implements RateBudget {
  constructor(private readonly redis: Redis) {}

  async take(key: string, limit: { requests: number; windowMs: number }): Promise<void> {
    while (true) {
      const member = randomUUID(); // unique across replicas, or two takes would count once
      const waitMs = Number(await this.redis.eval(TAKE, 2, `slipway:budget:${key}`, `slipway:budget:${key}:blocked`, limit.windowMs, limit.requests, member));
      if (waitMs === 0) return;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  async block(key: string, forMs: number): Promise<void> {
    await this.redis.eval(BLOCK, 1, `slipway:budget:${key}:blocked`, Math.max(1, Math.round(forMs)));
  }
}
