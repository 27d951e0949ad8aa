// Password hashing (scrypt, ~100 ms of one core and 128 MiB each) runs a few at a time, with a
// bounded queue behind it. It protects this process's CPU and memory, so it is per replica.
import { RateLimitedError } from "../errors.js";

export interface PasswordHashingPolicy {
  /** Password hashes computed at once, and how many may wait for a turn. */
  concurrency: number;
  queue: number;
}

export const DEFAULT_PASSWORD_HASHING_POLICY: PasswordHashingPolicy = { concurrency: 2, queue: 32 };

export class PasswordHashing {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly policy: PasswordHashingPolicy = DEFAULT_PASSWORD_HASHING_POLICY) {}

  /** Runs a password hash when a slot is free; refuses when too many already wait. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.policy.concurrency) {
      if (this.waiting.length >= this.policy.queue) throw new RateLimitedError(1);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next in line
      else this.running -= 1;
    }
  }
}
