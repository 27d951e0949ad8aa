// Counts requests per key over a rolling window: both providers document limits as
// "N requests per period", with the oldest request's expiry as the reset time.

export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Timestamps still inside the window for `key`, oldest first. */
  private live(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > cutoff);
    this.hits.set(key, list);
    return list;
  }

  /** Records a hit if there is room; returns whether it was allowed. */
  tryHit(key: string): boolean {
    const list = this.live(key);
    if (list.length >= this.limit) return false;
    list.push(this.now());
    return true;
  }

  remaining(key: string): number {
    return Math.max(0, this.limit - this.live(key).length);
  }

  /** Epoch ms when the oldest counted hit expires (now, if none). */
  resetAt(key: string): number {
    const oldest = this.live(key)[0];
    return oldest === undefined ? this.now() : oldest + this.windowMs;
  }
}
