import type { Logger } from "../../logger.js";
import type { ScheduledTask, Scheduler } from "../../domain/ports.js";

/** Periodic work in this process (single-process mode): a timer per task, never two runs of one task at once. */
export class InProcessScheduler implements Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly log: Logger) {}

  register(task: ScheduledTask): void {
    if (this.tasks.some((t) => t.name === task.name)) throw new Error(`A task named "${task.name}" is already scheduled`);
    this.tasks.push(task);
  }

  async start(): Promise<void> {
    for (const task of this.tasks) {
      let busy = false;
      const timer = setInterval(() => {
        if (busy || this.closed) return;
        busy = true;
        const run = task
          .run(Date.now())
          .catch((error: unknown) => this.log.error({ err: error, task: task.name }, "a scheduled task failed"))
          .finally(() => {
            busy = false;
            this.running.delete(run);
          });
        this.running.add(run);
      }, task.everyMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([...this.running]);
  }
}
