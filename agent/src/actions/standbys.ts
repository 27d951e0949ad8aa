// Standbys: after a switch, the container that served before is paused rather than removed, for a
// while, so that rolling back to it is resuming a process instead of starting a container. Each
// has a timer that removes it when its time is up; an agent that restarts has no timers, so it
// removes the paused containers it finds (they could otherwise stay forever).
import { slipwayLabelFilter } from "../commands/docker.js";
import type { ContainerEngine } from "../engine/types.js";
import { messageOf } from "../errors.js";
import { stopAndRemove } from "./containers.js";

export class Standbys {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly log: (line: string) => void = () => {}) {}

  /** Pauses a container and removes it after `seconds`. */
  async keep(engine: ContainerEngine, id: string, name: string, seconds: number): Promise<void> {
    await engine.pauseContainer(id);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void stopAndRemove(engine, id).catch((e: unknown) => this.log(`removing the standby ${name}: ${messageOf(e)}`));
    }, seconds * 1000);
    timer.unref();
    this.timers.set(id, timer);
  }

  /** The container is back in service (or gone): its timer no longer applies. */
  release(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

/** At start: paused Slipway containers left by a previous run of the agent have no timer; remove them. */
export async function retireLeftoverStandbys(engine: ContainerEngine): Promise<string[]> {
  const paused = (await engine.listContainers(slipwayLabelFilter())).filter((c) => c.state === "paused");
  for (const c of paused) await stopAndRemove(engine, c.id);
  return paused.map((c) => c.name);
}
