// Keyed mutual exclusion: one release per service at a time, one nginx switch at a time.
export class Locks {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, f: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(f, f);
    const tail = next.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
