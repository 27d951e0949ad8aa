import { describe, expect, it } from "vitest";
import { pollDelayMs } from "../../src/actions/health-check.js";

describe("health check polling", () => {
  it("probes again soon at first, then every 200 ms", () => {
    expect([0, 1, 2, 3, 4, 5, 50].map(pollDelayMs)).toEqual([25, 50, 100, 200, 200, 200, 200]);
  });
});
