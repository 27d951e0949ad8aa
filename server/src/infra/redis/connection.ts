import { Redis } from "ioredis";

/**
 * A Redis connection for BullMQ and pub/sub: commands wait (never fail fast) while Redis is
 * briefly unreachable, and reconnect on their own. Resolves once the connection is ready — a
 * SUBSCRIBE sent before that is silently lost.
 */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: `slipway-${name}`, lazyConnect: true });
  await redis.connect();
  return redis;
}
