// The one release state machine: the states of one release on one server, and which state may
// follow which. The agent checks every transition it makes against this table, the control
// plane checks the ones it records on a deployment's target, and the SDK's progress reducer and
// the database's enum read the same list. The model is kamal-proxy's target states: a new
// container is started off to the side, traffic moves to it only once it is healthy, and only then
// does the old one drain and stop.
//
//   pending -> starting -> healthy -> switched -> draining -> stopped      (a release that went live)
//                       \-> unhealthy -> failed                            (thrown away; nothing changed)
//   any state before switched -> failed                                    (nothing changed)
//   switched | draining | stopped -> reverted                              (put back: another server failed)
//   any state before an end -> unknown -> (what the server reports once seen again)
import { z } from "zod";

export const RELEASE_STATES = [
  "pending",
  "starting",
  "healthy",
  "unhealthy",
  "switched",
  "draining",
  "stopped",
  "failed",
  "reverted",
  "unknown",
] as const;

export const ReleaseState = z.enum(RELEASE_STATES);
export type ReleaseState = z.infer<typeof ReleaseState>;

/** Where each state may go next. An end state has no way out. */
export const RELEASE_TRANSITIONS: Readonly<Record<ReleaseState, readonly ReleaseState[]>> = {
  // Released again while it already serves: nothing to start, it is switched at once.
  pending: ["starting", "switched", "failed", "unknown"],
  starting: ["healthy", "unhealthy", "failed", "unknown"],
  healthy: ["switched", "failed", "unknown"],
  unhealthy: ["failed", "unknown"],
  switched: ["draining", "stopped", "reverted", "unknown"],
  draining: ["stopped", "reverted", "unknown"],
  stopped: ["reverted"],
  failed: [],
  reverted: [],
  // Contact was lost: once the server is seen again, what it runs decides.
  unknown: ["stopped", "failed", "reverted"],
};

export function canTransition(from: ReleaseState, to: ReleaseState): boolean {
  return RELEASE_TRANSITIONS[from].includes(to);
}

export class IllegalTransitionError extends Error {
  override name = "IllegalTransitionError";
  constructor(
    readonly from: ReleaseState,
    readonly to: ReleaseState,
  ) {
    super(`a release cannot go from ${from} to ${to}`);
  }
}

/** Throws unless `to` may follow `from`. */
export function assertTransition(from: ReleaseState, to: ReleaseState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}

/** The release serves traffic on its server in these states. */
export function isLive(state: ReleaseState): boolean {
  return state === "switched" || state === "draining" || state === "stopped";
}

/** No transition leaves these, except a put-back of a live one (stopped -> reverted). */
export function isSettled(state: ReleaseState): boolean {
  return state === "stopped" || state === "failed" || state === "reverted";
}

/** How far along a release is, for progress bars: never goes backwards along the success path. */
export const RELEASE_PROGRESS: Readonly<Record<ReleaseState, number>> = {
  pending: 0,
  starting: 0.2,
  healthy: 0.6,
  unhealthy: 0.6,
  switched: 0.8,
  draining: 0.9,
  stopped: 1,
  failed: 1,
  reverted: 1,
  unknown: 0.5,
};
