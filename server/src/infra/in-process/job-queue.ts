import type { Job, JobHandler, JobQueue } from "../../domain/ports.js";

/** Runs jobs in this process with bounded concurrency, in the order they were enqueued. */
export class InProcessJobQueue implements JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly waiting: Job[] = [];
  private readonly running = new Map<Promise<void>, Job>();
  private started = false;
  private closed = false;

  constructor(
    private readonly concurrency: number,
    private readonly onError: (job: Job, error: unknown) => void,
  ) {}

  register<P>(name: string, handler: JobHandler<P>): void {
    if (this.handlers.has(name)) throw new Error(`A handler for job "${name}" is already registered`);
    this.handlers.set(name, handler as JobHandler);
  }

  async start(): Promise<void> {
    this.started = true;
    this.pump();
  }

  async enqueue<P>(job: Job<P>): Promise<void> {
    if (this.closed) throw new Error("The job queue is closed");
    if (!this.handlers.has(job.name)) throw new Error(`No handler is registered for job "${job.name}"`);
    if (job.id !== undefined && (await this.has(job.id))) return;
    this.waiting.push(job);
    this.pump();
  }

  async has(id: string): Promise<boolean> {
    return this.waiting.some((job) => job.id === id) || [...this.running.values()].some((job) => job.id === id);
  }

  private pump(): void {
    while (this.started && !this.closed && this.running.size < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      const handler = this.handlers.get(job.name)!;
      const run: Promise<void> = Promise.resolve()
        .then(() => handler(job.payload))
        .catch((error: unknown) => this.onError(job, error))
        .finally(() => {
          this.running.delete(run);
          this.pump();
        });
      this.running.set(run, job);
    }
  }

  async close(graceMs = Number.POSITIVE_INFINITY): Promise<number> {
    this.closed = true;
    this.waiting.length = 0;
    const all = Promise.allSettled([...this.running.keys()]);
    if (Number.isFinite(graceMs)) await Promise.race([all, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    else await all;
    return this.running.size;
  }
}
