import { Redis } from "ioredis";
import type { Logger } from "../../logger.js";

/**
 * A Redis connection for BullMQ and pub/sub: commands wait (never fail fast) while Redis is
 * briefly unreachable, and it reconnects on its own. Resolves once the connection is ready — a
 * SUBSCRIBE sent before that is silently lost.
 */
export async function connectRedis(url: string, name: string, log?: Logger): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: `slipway-${name}`, lazyConnect: true });
  if (log) reportOutages(redis, log, name);
  await redis.connect();
  return redis;
}

/** Another connection like `redis` (BullMQ workers need their own), with the same outage reporting. */
export function duplicateConnection(redis: Redis, log: Logger, name: string): Redis {
  const copy = redis.duplicate({ connectionName: `slipway-${name}` });
  reportOutages(copy, log, name);
  return copy;
}

/** One warning when Redis goes away and one line when it is back, not one per reconnect attempt. */
export function reportOutages(emitter: Pick<Redis, "on">, log: Logger, name: string): void {
  let down = false;
  emitter.on("error", (error: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: error, connection: name }, "Redis is unreachable; waiting for it (work and live events resume when it is back)");
  });
  emitter.on("ready", () => {
    if (!down) return;
    down = false;
    log.info({ connection: name }, "Redis is reachable again");
  });
}
