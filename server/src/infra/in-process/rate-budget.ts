import type { RateBudget, RateLimit } from "../../domain/ports.js";

/**
 * Request budgets for one process: per key, the times of the requests counted within the longest
 * window, shared by every client and operation in the process (one DigitalOcean token's 250 a
 * minute, not 250 each).
 */
export class InProcessRateBudget implements RateBudget {
  private readonly counted = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();

  async block(key: string, forMs: number): Promise<void> {
    this.blockedUntil.set(key, Math.max(this.blockedUntil.get(key) ?? 0, Date.now() + forMs));
  }

  async tryTake(key: string, limits: readonly RateLimit[]): Promise<number> {
    const now = Date.now();
    const blockedMs = (this.blockedUntil.get(key) ?? 0) - now;
    if (blockedMs > 0) return blockedMs;
    const times = this.counted.get(key) ?? [];
    this.counted.set(key, times);
    const longestMs = Math.max(0, ...limits.map((limit) => limit.windowMs));
    while (times.length > 0 && times[0]! <= now - longestMs) times.shift();
    const waitMs = Math.max(0, ...limits.map((limit) => msUntilRoom(times, limit, now)));
    if (waitMs === 0 && limits.length > 0) times.push(now);
    return waitMs;
  }
}

/** How long until one more request fits `limit`, given the counted times (oldest first). */
function msUntilRoom(times: readonly number[], limit: RateLimit, now: number): number {
  const first = times.findIndex((time) => time > now - limit.windowMs);
  const inWindow = first === -1 ? 0 : times.length - first;
  if (inWindow < limit.requests) return 0;
  // Room comes when enough of the oldest have left the window.
  return times[first + inWindow - limit.requests]! + limit.windowMs - now;
}
