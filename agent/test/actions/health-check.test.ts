import { describe, expect, it } from "vitest";
import { exitReason, pollDelayMs } from "../../src/actions/health-check.js";

describe("health check polling", () => {
  it("probes again soon at first, then at the service's interval", () => {
    expect([0, 1, 2, 3, 4, 5, 50].map((n) => pollDelayMs(n, 200))).toEqual([25, 50, 100, 200, 200, 200, 200]);
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => pollDelayMs(n, 1000))).toEqual([25, 50, 100, 200, 400, 800, 1000]);
    expect([0, 1].map((n) => pollDelayMs(n, 30))).toEqual([25, 30]);
  });
});

describe("exitReason", () => {
  it("sees a container that exited, waits to be restarted, or was restarted; not one still on its first run", () => {
    expect(exitReason({ running: true, restarting: false, exitCode: 0, restartCount: 0 })).toBeNull();
    expect(exitReason({ running: false, restarting: false, exitCode: 1, restartCount: 0 })).toBe("container exited with code 1 before it became healthy");
    // Docker reports a container in its restart back-off as both Running and Restarting.
    expect(exitReason({ running: true, restarting: true, exitCode: 3, restartCount: 1 })).toBe("container exited with code 3 before it became healthy");
    expect(exitReason({ running: true, restarting: false, exitCode: 0, restartCount: 2 })).toBe("container exited and was restarted 2 time(s) before it became healthy");
  });
});
