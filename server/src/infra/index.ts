import type { Config } from "../config.js";
import type { EventBus, JobQueue, RateBudget, Scheduler, SignInFailures } from "../domain/ports.js";
import type { Logger } from "../logger.js";
import { InProcessEventBus } from "./in-process/event-bus.js";
import { InProcessJobQueue } from "./in-process/job-queue.js";
import { InProcessRateBudget } from "./in-process/rate-budget.js";
import { InProcessScheduler } from "./in-process/scheduler.js";
import { InProcessSignInFailures } from "./in-process/sign-in-failures.js";

/** The queue, bus, schedules, rate budgets and sign-in failure counts of one replica, and how to let go of them. */
export interface Infrastructure {
  queue: JobQueue;
  bus: EventBus;
  scheduler: Scheduler;
  rateBudget: RateBudget;
  signInFailures: SignInFailures;
  close(): Promise<void>;
}

/**
 * In process (the embedded default: one process, nothing else to run), or on Redis when
 * SLIPWAY_REDIS_URL is set (BullMQ for operations and schedules, pub/sub for live events, shared
 * rate budgets and sign-in failure counts), so that any number of identical replicas share the work.
 */
export async function createInfrastructure(config: Config, log: Logger): Promise<Infrastructure> {
  if (config.redisUrl) {
    const { createRedisInfrastructure } = await import("./redis/index.js");
    return createRedisInfrastructure(config, log);
  }
  const bus = new InProcessEventBus();
  return {
    queue: new InProcessJobQueue(config.operationConcurrency, (job, error) => log.error({ err: error, job: job.name }, "a background job failed")),
    bus,
    scheduler: new InProcessScheduler(log),
    rateBudget: new InProcessRateBudget(),
    signInFailures: new InProcessSignInFailures(),
    close: () => bus.close(),
  };
}
