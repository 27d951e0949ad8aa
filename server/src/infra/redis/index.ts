import type { Config } from "../../config.js";
import type { Logger } from "../../logger.js";
import type { Infrastructure } from "../index.js";
import { connectRedis } from "./connection.js";
import { RedisEventBus } from "./event-bus.js";
import { BullJobQueue } from "./job-queue.js";
import { RedisRateBudget } from "./rate-budget.js";
import { BullScheduler } from "./scheduler.js";
import { RedisSignInFailures } from "./sign-in-failures.js";

/** Cluster mode: the queue, bus, schedules, rate budgets and sign-in failure counts on Redis, shared by every replica. */
export async function createRedisInfrastructure(config: Config, log: Logger): Promise<Infrastructure> {
  const url = config.redisUrl!;
  const commands = await connectRedis(url, "commands", log);
  const subscriber = await connectRedis(url, "subscriber", log);
  const bus = new RedisEventBus(commands, subscriber, log);
  return {
    // A killed replica's jobs return to the queue within about this lock; the operation lease then decides.
    queue: new BullJobQueue(commands, { concurrency: config.operationConcurrency, lockMs: Math.min(config.operationLeaseMs, 10_000) }, log),
    bus,
    scheduler: new BullScheduler(commands, log),
    rateBudget: new RedisRateBudget(commands),
    signInFailures: new RedisSignInFailures(commands),
    async close() {
      await bus.close();
      await Promise.allSettled([commands.quit(), subscriber.quit()]);
    },
  };
}
