import type { RateBudget } from "../../domain/ports.js";

/**
 * Request budgets for one process: a sliding window of recent requests per key, shared by every
 * client and operation in the process (one DigitalOcean token's 250 per minute, not 250 each).
 */
export class InProcessRateBudget implements RateBudget {
  private readonly windows = new Map<string, number[]>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly blockedUntil = new Map<string, number>();

  async block(key: string, forMs: number): Promise<void> {
    this.blockedUntil.set(key, Math.max(this.blockedUntil.get(key) ?? 0, Date.now() + forMs));
  }

  take(key: string, limit: { requests: number; windowMs: number }): Promise<void> {
    // One waiter at a time per key, in arrival order.
    const previous = this.queues.get(key) ?? Promise.resolve();
    const mine = previous.then(() => this.waitForRoom(key, limit));
    this.queues.set(key, mine.catch(() => undefined));
    return mine;
  }

  private async waitForRoom(key: string, limit: { requests: number; windowMs: number }): Promise<void> {
    const times = this.windows.get(key) ?? [];
    this.windows.set(key, times);
    while (true) {
      const now = Date.now();
      const blocked = (this.blockedUntil.get(key) ?? 0) - now;
      if (blocked > 0) {
        await new Promise((resolve) => setTimeout(resolve, blocked));
        continue;
      }
      while (times.length > 0 && times[0]! <= now - limit.windowMs) times.shift();
      if (times.length < limit.requests) {
        times.push(now);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, times[0]! + limit.windowMs - now + 1));
    }
  }
}
