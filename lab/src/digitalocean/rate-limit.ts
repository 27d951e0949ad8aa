import { SlidingWindow } from "../simulator-shared/sliding-window.js";

// DigitalOcean allows 5,000 requests per hour and 250 per minute per token. The headers
// describe the hourly budget; either limit being spent yields a 429. The per-minute (burst)
// limit's 429 also says `retry-after` seconds (DigitalOcean's release note of 2023-08-24).

export interface DigitalOceanRateLimits {
  perHour: number;
  perMinute: number;
}

export const REAL_DIGITALOCEAN_LIMITS: DigitalOceanRateLimits = { perHour: 5000, perMinute: 250 };

export class DigitalOceanRateLimiter {
  private readonly hour: SlidingWindow;
  private readonly minute: SlidingWindow;

  constructor(
    limits: DigitalOceanRateLimits = REAL_DIGITALOCEAN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.hour = new SlidingWindow(limits.perHour, 3_600_000, now);
    this.minute = new SlidingWindow(limits.perMinute, 60_000, now);
  }

  /** Counts one call for `token`; returns whether it is allowed and the headers to send. */
  hit(token: string): { allowed: boolean; headers: Record<string, string> } {
    // Check both before counting, so a call refused by one window is not charged to the other.
    const hourSpent = this.hour.remaining(token) === 0;
    const minuteSpent = this.minute.remaining(token) === 0;
    if (!hourSpent && !minuteSpent) {
      this.hour.tryHit(token);
      this.minute.tryHit(token);
      return { allowed: true, headers: this.headers(token) };
    }
    if (hourSpent) return { allowed: false, headers: this.headers(token) };
    const retryAfter = Math.max(1, Math.ceil((this.minute.resetAt(token) - this.now()) / 1000));
    return { allowed: false, headers: { ...this.headers(token), "retry-after": String(retryAfter) } };
  }

  headers(token: string): Record<string, string> {
    return {
      "ratelimit-limit": String(this.hour.limit),
      "ratelimit-remaining": String(this.hour.remaining(token)),
      "ratelimit-reset": String(Math.ceil(this.hour.resetAt(token) / 1000)),
    };
  }
}
