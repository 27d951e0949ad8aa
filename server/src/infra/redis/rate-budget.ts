import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { RateBudget, RateLimit } from "../../domain/ports.js";

// Per key, a sorted set of the requests counted within the longest window, decided in one script
// so replicas never both take the last slot. ARGV: a unique member, then (requests, windowMs) per
// limit. Returns 0 when the request was counted, else how many ms to wait. Redis's clock, so
// replicas' clocks need not agree.
const TRY_TAKE = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > ms then return blocked - ms end
local longest = 0
for i = 2, #ARGV, 2 do longest = math.max(longest, tonumber(ARGV[i + 1])) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms - longest)
local wait = 0
for i = 2, #ARGV, 2 do
  local requests = tonumber(ARGV[i])
  local window = tonumber(ARGV[i + 1])
  local since = '(' .. (ms - window)
  local inWindow = redis.call('ZCOUNT', KEYS[1], since, '+inf')
  if inWindow >= requests then
    -- Room comes when enough of the oldest have left the window.
    local freeing = redis.call('ZRANGEBYSCORE', KEYS[1], since, '+inf', 'WITHSCORES', 'LIMIT', inWindow - requests, 1)
    wait = math.max(wait, tonumber(freeing[2]) + window - ms)
  end
end
if wait > 0 or longest == 0 then return wait end
redis.call('ZADD', KEYS[1], ms, ARGV[1])
redis.call('PEXPIRE', KEYS[1], longest)
return 0
`;

const BLOCK = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local untilMs = ms + tonumber(ARGV[1])
if untilMs > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], untilMs, 'PX', ARGV[1]) end
return 0
`;

/** Provider request budgets shared by every replica (DigitalOcean 250/min and 5,000/h, Cloudflare 1,200/5 min per token). */
export class RedisRateBudget implements RateBudget {
  constructor(private readonly redis: Redis) {}

  async tryTake(key: string, limits: readonly RateLimit[]): Promise<number> {
    const member = randomUUID(); // unique across replicas, or two requests would count once
    const windows = limits.flatMap((limit) => [limit.requests, limit.windowMs]);
    return Number(await this.redis.eval(TRY_TAKE, 2, `slipway:budget:${key}`, `slipway:budget:${key}:blocked`, member, ...windows));
  }

  async block(key: string, forMs: number): Promise<void> {
    await this.redis.eval(BLOCK, 1, `slipway:budget:${key}:blocked`, Math.max(1, Math.round(forMs)));
  }
}
