import { SlidingWindow } from "../simulator-shared/sliding-window.js";

// Cloudflare allows 1,200 requests per five minutes per token; going over answers 429 and
// then blocks every call with that token for five minutes.

export interface CloudflareRateLimits {
  requests: number;
  windowMs: number;
  blockMs: number;
}

export const REAL_CLOUDFLARE_LIMITS: CloudflareRateLimits = { requests: 1200, windowMs: 300_000, blockMs: 300_000 };

export class CloudflareRateLimiter {
  private readonly window: SlidingWindow;
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly limits: CloudflareRateLimits = REAL_CLOUDFLARE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.window = new SlidingWindow(limits.requests, limits.windowMs, now);
  }

  /** What the Ratelimit header says for the token now: calls left, seconds until the window resets. */
  status(token: string): { remaining: number; resetSeconds: number } {
    const until = this.blockedUntil.get(token) ?? 0;
    if (this.now() < until) return { remaining: 0, resetSeconds: Math.ceil((until - this.now()) / 1000) };
    return { remaining: this.window.remaining(token), resetSeconds: Math.max(0, Math.ceil((this.window.resetAt(token) - this.now()) / 1000)) };
  }

  /** The policy the Ratelimit-Policy header describes. */
  get policy(): { requests: number; windowSeconds: number; blockSeconds: number } {
    return { requests: this.limits.requests, windowSeconds: Math.ceil(this.limits.windowMs / 1000), blockSeconds: Math.ceil(this.limits.blockMs / 1000) };
  }

  /** Counts a call; when refused, `retryAfter` is the seconds until the block lifts. */
  hit(token: string): { allowed: true } | { allowed: false; retryAfter: number } {
    const until = this.blockedUntil.get(token) ?? 0;
    if (this.now() < until) return { allowed: false, retryAfter: Math.ceil((until - this.now()) / 1000) };
    if (this.window.tryHit(token)) return { allowed: true };
    this.blockedUntil.set(token, this.now() + this.limits.blockMs);
    return { allowed: false, retryAfter: Math.ceil(this.limits.blockMs / 1000) };
  }
}
