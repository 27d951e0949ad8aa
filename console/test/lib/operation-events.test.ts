import { describe, expect, it } from "vitest";
import { mergeEvents, toLanes, type LiveEvent } from "../../src/lib/operation-events";

const event = (seq: number, step: string, extra: Partial<LiveEvent> = {}): LiveEvent => ({
  seq, step, level: "INFO", message: `${step} ${seq}`, progress: null, serverId: null, createdAt: "2026-01-01T00:00:00Z", ...extra,
});

describe("mergeEvents", () => {
  it("appends new events in order and drops any seq already kept (a replay after reconnecting)", () => {
    const kept = [event(1, "a"), event(2, "a")];
    const merged = mergeEvents(kept, [event(2, "a"), event(4, "b"), event(3, "b"), event(1, "a")]);
    expect(merged.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it("returns the same array when nothing is new, so a replay causes no re-render", () => {
    const kept = [event(1, "a")];
    expect(mergeEvents(kept, [event(1, "a")])).toBe(kept);
  });
});

describe("toLanes", () => {
  it("groups steps per server, control plane first, with the latest message and progress", () => {
    const lanes = toLanes(
      [
        event(1, "build", { serverId: "s1" }),
        event(2, "plan"),
        event(3, "build", { serverId: "s1", level: "DEBUG", message: "log line" }),
        event(4, "start", { serverId: "s1", progress: 0.4 }),
        event(5, "start", { serverId: "s2", progress: 0.2, level: "ERROR", message: "unhealthy" }),
      ],
      false,
    );
    expect(lanes.map((l) => l.serverId)).toEqual([null, "s1", "s2"]);
    expect(lanes[1]!.steps).toEqual([
      { step: "build", message: "build 1", progress: null, state: "done" },
      { step: "start", message: "start 4", progress: 0.4, state: "running" },
    ]);
    expect(lanes[2]!.steps[0]).toMatchObject({ state: "failed", message: "unhealthy" });
  });

  it("marks every step done once the operation has finished", () => {
    const lanes = toLanes([event(1, "build", { serverId: "s1" })], true);
    expect(lanes[0]!.steps[0]!.state).toBe("done");
  });
});
