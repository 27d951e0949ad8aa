// The releases running on this agent, by service and deployment, so that the control plane replica
// that took an interrupted deploy over can have them given up (give-up-release.ts) even while the
// replica that asked for them still holds its connection open (frozen, or its machine lost).
// Deployments given up here are remembered for a while: a release of one that arrives later (sent
// by that replica once it resumes, after its image step) is refused before it starts anything.
import type { ReleaseResult, ReleaseState } from "../protocol/index.js";
import type { Emit } from "./deps.js";

/** How long a given-up deployment's releases are refused; longer than any image step. */
export const GIVEN_UP_FOR_MS = 60 * 60 * 1000;

export interface InFlightRelease {
  /** The last state the release reported ("pending" until its first). */
  readonly state: ReleaseState;
  /** Settles once the release has ended: its result, or null when it threw. */
  readonly ended: Promise<ReleaseResult | null>;
  /** Stops it at its next safe point before the switch; `reason` is the error it fails with. */
  giveUp(reason: string): void;
}

interface Entry extends InFlightRelease {
  state: ReleaseState;
}

export class InFlightReleases {
  private readonly running = new Map<string, Set<Entry>>();
  /** key -> until when its releases are refused (ms since the epoch). */
  private readonly givenUp = new Map<string, { until: number; reason: string }>();

  constructor(
    private readonly givenUpForMs = GIVEN_UP_FOR_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs one release, known here while it runs. `run` gets the emit to use (it records the state
   * lines) and the signal that gives it up: already aborted when its deployment was given up here.
   */
  async track(
    service: string,
    deployment: string,
    emit: Emit,
    run: (emit: Emit, givenUp: AbortSignal) => Promise<ReleaseResult>,
  ): Promise<ReleaseResult> {
    const key = keyOf(service, deployment);
    const controller = new AbortController();
    const refused = this.refusal(key);
    if (refused) controller.abort(refused);
    let settle!: (result: ReleaseResult | null) => void;
    const entry: Entry = {
      state: "pending",
      ended: new Promise((resolve) => (settle = resolve)),
      giveUp: (reason) => controller.abort(reason),
    };
    const entries = this.running.get(key) ?? new Set<Entry>();
    entries.add(entry);
    this.running.set(key, entries);
    const recording: Emit = (line) => {
      if (line.type === "state") entry.state = line.state;
      emit(line);
    };
    let result: ReleaseResult | null = null;
    try {
      result = await run(recording, controller.signal);
      return result;
    } finally {
      entries.delete(entry);
      if (entries.size === 0 && this.running.get(key) === entries) this.running.delete(key);
      settle(result);
    }
  }

  /**
   * Refuses the deployment's later releases here for a while (with `reason`), and answers the
   * releases of it running now, for the caller to stop.
   */
  giveUp(service: string, deployment: string, reason: string): InFlightRelease[] {
    this.forgetExpired();
    const key = keyOf(service, deployment);
    this.givenUp.set(key, { until: this.now() + this.givenUpForMs, reason });
    return [...(this.running.get(key) ?? [])];
  }

  /** Its releases are no longer refused (it serves here: the fleet may stay on it). */
  forgive(service: string, deployment: string): void {
    this.givenUp.delete(keyOf(service, deployment));
  }

  private refusal(key: string): string | null {
    this.forgetExpired();
    return this.givenUp.get(key)?.reason ?? null;
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [key, { until }] of this.givenUp) if (until <= now) this.givenUp.delete(key);
  }
}

function keyOf(service: string, deployment: string): string {
  return `${service}/${deployment}`;
}
