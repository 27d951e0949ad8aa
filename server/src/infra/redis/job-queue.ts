import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Job, JobHandler, JobQueue } from "../../domain/ports.js";
import type { Logger } from "../../logger.js";
import { duplicateConnection } from "./connection.js";

const QUEUE = "operations";
const LIVE_STATES = new Set(["waiting", "active", "delayed", "prioritized", "waiting-children"]);

export interface BullJobQueueOptions {
  concurrency: number;
  /**
   * How long a job's lock lives without renewal: a replica killed mid-job hands its jobs back to
   * the queue (BullMQ's stalled-job check) within about this plus the check interval.
   */
  lockMs: number;
}

/** The operations queue shared by every replica (BullMQ): any replica may take any job. */
export class BullJobQueue implements JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private active = 0;

  constructor(
    private readonly connection: Redis,
    private readonly options: BullJobQueueOptions,
    private readonly log: Logger,
  ) {
    this.queue = new Queue(QUEUE, { connection, prefix: "slipway" });
  }

  register<P>(name: string, handler: JobHandler<P>): void {
    if (this.handlers.has(name)) throw new Error(`A handler for job "${name}" is already registered`);
    this.handlers.set(name, handler as JobHandler);
  }

  async start(): Promise<void> {
    this.worker = new Worker(
      QUEUE,
      async (job) => {
        const handler = this.handlers.get(job.name);
        if (!handler) throw new Error(`No handler is registered for job "${job.name}"`);
        this.active += 1;
        try {
          await handler(job.data);
        } finally {
          this.active -= 1;
        }
      },
      {
        connection: duplicateConnection(this.connection, this.log, "operations-worker"),
        prefix: "slipway",
        concurrency: this.options.concurrency,
        lockDuration: this.options.lockMs,
        stalledInterval: Math.max(1_000, Math.floor(this.options.lockMs / 2)),
        // A job that stalls is handed to another replica each time; the operation's lease decides what happens.
        maxStalledCount: 1_000,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 1_000 },
      },
    );
    // Its connection reports Redis outages (once each); the worker repeats them on every retry.
    this.worker.on("error", () => undefined);
    this.worker.on("failed", (job, error) => this.log.error({ err: error, job: job?.name }, "a background job failed"));
    await this.worker.waitUntilReady();
  }

  async enqueue<P>(job: Job<P>): Promise<void> {
    if (!this.handlers.has(job.name)) throw new Error(`No handler is registered for job "${job.name}"`);
    await this.queue.add(job.name, job.payload, { jobId: job.id, removeOnComplete: true, removeOnFail: 1_000 });
  }

  async has(id: string): Promise<boolean> {
    const job = await this.queue.getJob(id);
    return job ? LIVE_STATES.has(await job.getState()) : false;
  }

  async close(graceMs = Number.POSITIVE_INFINITY): Promise<number> {
    const worker = this.worker;
    if (worker) {
      const closed = worker.close();
      const timedOut = Number.isFinite(graceMs) ? new Promise<"timeout">((resolve) => setTimeout(resolve, graceMs, "timeout").unref()) : closed;
      if ((await Promise.race([closed, timedOut])) === "timeout") await worker.close(true);
    }
    const stillRunning = this.active;
    await this.queue.close();
    return stillRunning;
  }
}
