import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { ScheduledTask, Scheduler } from "../../domain/ports.js";
import type { Logger } from "../../logger.js";
import { duplicateConnection } from "./connection.js";

const QUEUE = "schedules";

/**
 * Periodic work shared by every replica: one BullMQ job scheduler per task (every replica upserts
 * the same ones at start), so each slot is one job, run once, by whichever replica takes it.
 */
export class BullScheduler implements Scheduler {
  private readonly tasks = new Map<string, ScheduledTask>();
  private readonly queue: Queue;
  private worker: Worker | undefined;

  constructor(
    private readonly connection: Redis,
    private readonly log: Logger,
  ) {
    this.queue = new Queue(QUEUE, { connection, prefix: "slipway" });
  }

  register(task: ScheduledTask): void {
    if (this.tasks.has(task.name)) throw new Error(`A task named "${task.name}" is already scheduled`);
    this.tasks.set(task.name, task);
  }

  async start(): Promise<void> {
    for (const task of this.tasks.values()) {
      await this.queue.upsertJobScheduler(task.name, { every: task.everyMs }, { name: task.name, data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } });
    }
    this.worker = new Worker(
      QUEUE,
      async (job) => {
        const task = this.tasks.get(job.name);
        // A schedule another version registered: leave it to a replica that knows it.
        if (!task) return;
        // A scheduler's job is due at its creation plus its delay (the slot its id names).
        await task.run(job.timestamp + (job.opts.delay ?? 0));
      },
      { connection: duplicateConnection(this.connection, this.log, "schedules-worker"), prefix: "slipway", concurrency: Math.max(1, this.tasks.size) },
    );
    // Its connection reports Redis outages (once each); the worker repeats them on every retry.
    this.worker.on("error", () => undefined);
    this.worker.on("failed", (job, error) => this.log.error({ err: error, task: job?.name }, "a scheduled task failed"));
    await this.worker.waitUntilReady();
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
