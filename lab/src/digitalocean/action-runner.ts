import { setTimeout as sleep } from "node:timers/promises";
import type { ActionRecord, DigitalOceanState } from "./state.js";

// Runs the work behind a DigitalOcean action: the action is "in-progress" at once, its work
// starts after a configurable delay (the time the real API takes), and it ends "completed",
// or "errored" if the work throws.

export class ActionRunner {
  private readonly pending = new Set<Promise<void>>();
  private readonly stop = new AbortController();

  constructor(
    private readonly state: DigitalOceanState,
    private readonly delayMs: number,
  ) {}

  start(
    type: string,
    resource: { id: number; type: ActionRecord["resourceType"]; region: string },
    work: () => Promise<void>,
  ): ActionRecord {
    const action: ActionRecord = {
      id: this.state.nextId("action"),
      type,
      status: "in-progress",
      startedAt: new Date(),
      completedAt: null,
      resourceId: resource.id,
      resourceType: resource.type,
      region: resource.region,
    };
    this.state.actions.set(action.id, action);
    const run = (async () => {
      try {
        await sleep(this.delayMs, undefined, { signal: this.stop.signal });
      } catch {
        return; // simulator closing: the action stays in progress, as on an abandoned account
      }
      try {
        await work();
        action.status = "completed";
      } catch {
        action.status = "errored";
      }
      action.completedAt = new Date();
    })();
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
    return action;
  }

  /** Resolves once every action started so far has finished. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  /** Cancels actions still waiting and waits for those already working. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.settled();
  }
}
