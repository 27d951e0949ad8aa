// Slows password guessing down: failed sign-ins are counted per account and per client address,
// and past a few each attempt has to wait longer (doubling, capped). The counts live behind the
// SignInFailures port (in process, or on Redis in cluster mode), so every replica sees every
// failure: a cluster gives a guesser the same allowance as one process.
import { createHash } from "node:crypto";
import { RateLimitedError } from "../errors.js";
import type { Clock, FailureCount, SignInFailures } from "../ports.js";

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

interface Counted {
  key: string;
  free: number;
}

export class LoginGuard {
  constructor(
    private readonly failures: SignInFailures,
    private readonly clock: Clock,
    private readonly policy: LoginGuardPolicy = DEFAULT_LOGIN_GUARD_POLICY,
  ) {}

  /** Refuses (RateLimitedError) while the account or the address must wait. */
  async check(account: string, address: string | undefined): Promise<void> {
    const now = this.clock.now().getTime();
    const blockedUntil = await Promise.all(
      this.counted(account, address).map(async ({ key, free }) => this.blockedUntil(await this.failures.get(key, now, this.policy.forgetAfterMs), free)),
    );
    const wait = Math.max(0, ...blockedUntil.map((until) => until - now));
    if (wait > 0) throw new RateLimitedError(Math.ceil(wait / 1000));
  }

  async recordFailure(account: string, address: string | undefined): Promise<void> {
    const now = this.clock.now().getTime();
    await Promise.all(this.counted(account, address).map(({ key }) => this.failures.add(key, now, this.policy.forgetAfterMs)));
  }

  /** A success clears the account's count (not the address's: one good password does not excuse guessing others). */
  async recordSuccess(account: string): Promise<void> {
    await this.failures.clear(failureKey("account", account));
  }

  private counted(account: string, address: string | undefined): Counted[] {
    const byAccount = { key: failureKey("account", account), free: this.policy.freeFailuresPerAccount };
    return address ? [byAccount, { key: failureKey("address", address), free: this.policy.freeFailuresPerAddress }] : [byAccount];
  }

  /** Past the free failures, each one makes the key wait twice as long after it (up to the cap). */
  private blockedUntil(failures: FailureCount | undefined, free: number): number {
    if (!failures || failures.count < free) return 0;
    return failures.lastAt + Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (failures.count - free));
  }
}

/** `account:<hash>` or `address:<hash>`: stores (and Redis) never hold an email or an address in clear. */
export function failureKey(kind: "account" | "address", value: string): string {
  return `${kind}:${createHash("sha256").update(value.toLowerCase()).digest("hex").slice(0, 32)}`;
}
