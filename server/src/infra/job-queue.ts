/** A unit of background work; the payload must be plain JSON so any queue can carry it. */
export interface Job<P = unknown> {
  name: string;
  payload: P;
}

export type JobHandler<P = unknown> = (payload: P) => Promise<void>;

/**
 * Runs long work off the request path. Handlers are registered by name at start; `enqueue` only
 * names one, so a queue shared by several replicas (BullMQ) can run it anywhere.
 */
export interface JobQueue {
  register<P>(name: string, handler: JobHandler<P>): void;
  enqueue<P>(job: Job<P>): Promise<void>;
  /** Stops taking jobs and waits for the running ones to finish. */
  close(): Promise<void>;
}

/** Runs jobs in this process with bounded concurrency, in the order they were enqueued. */
export class InProcessJobQueue implements JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly waiting: Job[] = [];
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly concurrency: number,
    private readonly onError: (job: Job, error: unknown) => void,
  ) {}

  register<P>(name: string, handler: JobHandler<P>): void {
    if (this.handlers.has(name)) throw new Error(`A handler for job "${name}" is already registered`);
    this.handlers.set(name, handler as JobHandler);
  }

  async enqueue<P>(job: Job<P>): Promise<void> {
    if (this.closed) throw new Error("The job queue is closed");
    if (!this.handlers.has(job.name)) throw new Error(`No handler is registered for job "${job.name}"`);
    this.waiting.push(job);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      const handler = this.handlers.get(job.name)!;
      const run: Promise<void> = Promise.resolve()
        .then(() => handler(job.payload))
        .catch((error: unknown) => this.onError(job, error))
        .finally(() => {
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting.length = 0;
    await Promise.allSettled([...this.running]);
  }
}
