import type { FailureCount, SignInFailures } from "../../domain/ports.js";

/** Failed sign-in counts for one process (the embedded mode has one). */
export class InProcessSignInFailures implements SignInFailures {
  private readonly failures = new Map<string, FailureCount>();

  async add(key: string, now: number, forgetAfterMs: number): Promise<number> {
    const entry = this.current(key, now, forgetAfterMs) ?? { count: 0, lastAt: now };
    entry.count += 1;
    entry.lastAt = Math.max(entry.lastAt, now);
    this.failures.set(key, entry);
    this.prune(now, forgetAfterMs);
    return entry.count;
  }

  async get(key: string, now: number, forgetAfterMs: number): Promise<FailureCount | undefined> {
    const entry = this.current(key, now, forgetAfterMs);
    return entry && { ...entry };
  }

  async clear(key: string): Promise<void> {
    this.failures.delete(key);
  }

  private current(key: string, now: number, forgetAfterMs: number): FailureCount | undefined {
    const entry = this.failures.get(key);
    if (entry && now - entry.lastAt > forgetAfterMs) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Keys nobody failed on for a while go, once there are many (guessers may try endless addresses). */
  private prune(now: number, forgetAfterMs: number): void {
    if (this.failures.size < 10_000) return;
    for (const [key, entry] of this.failures) if (now - entry.lastAt > forgetAfterMs) this.failures.delete(key);
  }
}
