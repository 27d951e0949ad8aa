// Slows password guessing down: failed sign-ins are counted per account and per client address,
// and past a few each attempt has to wait longer (doubling, capped).
// State is per replica: a cluster multiplies the allowance by its replica count, not more.
import { RateLimitedError } from "../errors.js";
import type { Clock } from "../ports.js";

export interface LoginGuardPolicy {
  /** Failures allowed per account before backoff starts. */
  freeFailuresPerAccount: number;
  /** Failures allowed per client address (every account together) before backoff starts. */
  freeFailuresPerAddress: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A key's count is forgotten this long after its last failure. */
  forgetAfterMs: number;
}

export const DEFAULT_LOGIN_GUARD_POLICY: LoginGuardPolicy = {
  freeFailuresPerAccount: 5,
  freeFailuresPerAddress: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

interface Failures {
  count: number;
  lastAt: number;
  blockedUntil: number;
}

export class LoginGuard {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly clock: Clock,
    private readonly policy: LoginGuardPolicy = DEFAULT_LOGIN_GUARD_POLICY,
  ) {}

  /** Refuses (RateLimitedError) while the account or the address must wait. */
  check(account: string, address: string | undefined): void {
    const now = this.clock.now().getTime();
    const waits = [this.keyOf("account", account), ...(address ? [this.keyOf("address", address)] : [])]
      .map((key) => this.current(key, now)?.blockedUntil ?? 0)
      .map((until) => until - now);
    const wait = Math.max(0, ...waits);
    if (wait > 0) throw new RateLimitedError(Math.ceil(wait / 1000));
  }

  recordFailure(account: string, address: string | undefined): void {
    const now = this.clock.now().getTime();
    this.bump(this.keyOf("account", account), this.policy.freeFailuresPerAccount, now);
    if (address) this.bump(this.keyOf("address", address), this.policy.freeFailuresPerAddress, now);
    this.prune(now);
  }

  /** A success clears the account's count (not the address's: one good password does not excuse guessing others). */
  recordSuccess(account: string): void {
    this.failures.delete(this.keyOf("account", account));
  }

  private keyOf(kind: "account" | "address", value: string): string {
    return `${kind}:${value.toLowerCase()}`;
  }

  private current(key: string, now: number): Failures | undefined {
    const entry = this.failures.get(key);
    if (entry && now - entry.lastAt > this.policy.forgetAfterMs) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }

  private bump(key: string, free: number, now: number): void {
    const entry = this.current(key, now) ?? { count: 0, lastAt: now, blockedUntil: 0 };
    entry.count += 1;
    entry.lastAt = now;
    if (entry.count >= free) {
      const delay = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (entry.count - free));
      entry.blockedUntil = now + delay;
    }
    this.failures.set(key, entry);
  }

  private prune(now: number): void {
    if (this.failures.size < 10_000) return;
    for (const [key, entry] of this.failures) if (now - entry.lastAt > this.policy.forgetAfterMs) this.failures.delete(key);
  }
}
