import type { Redis } from "ioredis";
import type { FailureCount, SignInFailures } from "../../domain/ports.js";

// One hash per key (count, last), counted in one script so failures on several replicas at once
// are all counted. The key expires when it would be forgotten, so nothing stays behind. `last`
// never moves back: replicas' clocks may differ a little. ARGV: now, forgetAfterMs.
const ADD = `
local now = tonumber(ARGV[1])
local forget = tonumber(ARGV[2])
local last = tonumber(redis.call('HGET', KEYS[1], 'last'))
local count = 0
if last and now - last <= forget then count = tonumber(redis.call('HGET', KEYS[1], 'count')) else last = now end
count = count + 1
redis.call('HSET', KEYS[1], 'count', count, 'last', math.max(last, now))
redis.call('PEXPIRE', KEYS[1], forget)
return count
`;

/** Failed sign-in counts shared by every replica (cluster mode). */
export class RedisSignInFailures implements SignInFailures {
  constructor(private readonly redis: Redis) {}

  async add(key: string, now: number, forgetAfterMs: number): Promise<number> {
    return Number(await this.redis.eval(ADD, 1, redisKey(key), now, Math.max(1, Math.round(forgetAfterMs))));
  }

  async get(key: string, now: number, forgetAfterMs: number): Promise<FailureCount | undefined> {
    const [count, last] = await this.redis.hmget(redisKey(key), "count", "last");
    if (count === null || last === null || now - Number(last) > forgetAfterMs) return undefined;
    return { count: Number(count), lastAt: Number(last) };
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(redisKey(key));
  }
}

const redisKey = (key: string) => `slipway:sign-in-failures:${key}`;
