// A provider's request budget, shared by every client, operation and replica that uses one token.
// The transports take from it before each call and block it after a 429; the implementations (in
// process, or on Redis for a cluster) live in infra/ and are handed in by whoever builds a client.
import { createHash } from "node:crypto";

/** At most `requests` requests in any `windowMs`. */
export interface RateLimit {
  requests: number;
  windowMs: number;
}

export interface RateBudget {
  /**
   * Counts one request for `key` if it fits every limit now, and resolves 0; otherwise counts
   * nothing and resolves how many ms to wait before asking again.
   */
  tryTake(key: string, limits: readonly RateLimit[]): Promise<number>;
  /** After a 429 or a spent quota: every `tryTake` for the key waits at least `forMs`. */
  block(key: string, forMs: number): Promise<void>;
}

/** The budget key of a provider token: a hash, so the token is never stored, sent to Redis or logged. */
export function budgetKey(provider: string, token: string): string {
  return `${provider}:${createHash("sha256").update(token).digest("hex").slice(0, 32)}`;
}

/**
 * A request is counted when it is taken and reaches the provider a little later (later still on a
 * busy machine), so every window is held this much longer than the provider's: that lag never
 * makes a 429, which Cloudflare answers by blocking the token for five minutes.
 */
const ARRIVAL_SLACK_MS = 1_000;

/** Takes one request from the budget; `beforeWait` is told each wait (and may throw to give up). */
export async function takeFromBudget(
  budget: RateBudget,
  key: string,
  limits: readonly RateLimit[],
  beforeWait: (delayMs: number) => void,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const held = limits.map((limit) => ({ requests: limit.requests, windowMs: limit.windowMs + ARRIVAL_SLACK_MS }));
  for (;;) {
    const delayMs = await budget.tryTake(key, held);
    if (delayMs === 0) return;
    beforeWait(delayMs);
    await sleep(delayMs);
  }
}
