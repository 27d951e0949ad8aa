// The one release state machine: its exact table, and what the checks built on it say.
import { describe, expect, it } from "vitest";
import {
  assertTransition, canTransition, IllegalTransitionError, isLive, isSettled, RELEASE_PROGRESS, RELEASE_STATES, RELEASE_TRANSITIONS,
} from "../../src/protocol/index.js";

describe("the release transition table", () => {
  it("is exactly this", () => {
    expect(RELEASE_STATES).toEqual(["pending", "starting", "healthy", "unhealthy", "switched", "draining", "stopped", "failed", "reverted", "unknown"]);
    expect(RELEASE_TRANSITIONS).toEqual({
      pending: ["starting", "switched", "failed", "unknown"],
      starting: ["healthy", "unhealthy", "failed", "unknown"],
      healthy: ["switched", "failed", "unknown"],
      unhealthy: ["failed", "unknown"],
      switched: ["draining", "stopped", "reverted", "unknown"],
      draining: ["stopped", "reverted", "unknown"],
      stopped: ["reverted"],
      failed: [],
      reverted: [],
      unknown: ["stopped", "failed", "reverted"],
    });
  });

  it("lets traffic move only after health: no way from starting or unhealthy to switched", () => {
    expect(canTransition("starting", "switched")).toBe(false);
    expect(canTransition("unhealthy", "switched")).toBe(false);
    expect(canTransition("healthy", "switched")).toBe(true);
    // Once traffic moved, the release cannot "fail": it can only be put back.
    expect(canTransition("switched", "failed")).toBe(false);
    expect(canTransition("stopped", "reverted")).toBe(true);
  });

  it("refuses an illegal transition with a clear error", () => {
    expect(() => assertTransition("starting", "stopped")).toThrow(new IllegalTransitionError("starting", "stopped"));
    expect(() => assertTransition("starting", "stopped")).toThrow("a release cannot go from starting to stopped");
    expect(() => assertTransition("failed", "starting")).toThrow(IllegalTransitionError);
    expect(() => assertTransition("healthy", "switched")).not.toThrow();
  });

  it("says which states serve and which are settled, and how far along each is", () => {
    expect(RELEASE_STATES.filter(isLive)).toEqual(["switched", "draining", "stopped"]);
    expect(RELEASE_STATES.filter(isSettled)).toEqual(["stopped", "failed", "reverted"]);
    const path = ["pending", "starting", "healthy", "switched", "draining", "stopped"] as const;
    const progress = path.map((s) => RELEASE_PROGRESS[s]);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
  });
});
