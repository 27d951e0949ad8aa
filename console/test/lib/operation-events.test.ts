import { describe, expect, it } from "vitest";
import { isLogLine, mergeEvents, type LiveEvent } from "../../src/lib/operation-events";

const event = (seq: number, step: string, extra: Partial<LiveEvent> = {}): LiveEvent => ({
  seq, step, level: "INFO", message: `${step} ${seq}`, progress: null, serverId: null, releaseState: null, createdAt: "2026-01-01T00:00:00Z", ...extra,
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

describe("isLogLine", () => {
  it("sends DEBUG lines (build output) to the log and nothing else", () => {
    expect(isLogLine(event(1, "build", { level: "DEBUG" }))).toBe(true);
    expect(isLogLine(event(2, "build"))).toBe(false);
  });
});
