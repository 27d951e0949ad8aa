import { describe, expect, it } from "vitest";
import { exitReason, pollDelayMs } from "../../src/actions/health-check.js";

describe("health check polling", () => {
  it("probes again soon at first, then every 200 ms", () => {
    expect([0, 1, 2, 3, 4, 5, 50].map(pollDelayMs)).toEqual([25, 50, 100, 200, 200, 200, 200]);
  });
});

describe("exitReason", () => {
  it("sees a container that exited, waits to be restarted, or was restarted; not one still on its first run", () => {
    expect(exitReason({ State: { Running: true, Restarting: false, ExitCode: 0 }, RestartCount: 0 })).toBeNull();
    expect(exitReason({ State: { Running: false, Restarting: false, ExitCode: 1 }, RestartCount: 0 })).toBe("container exited with code 1 before it became healthy");
    // Docker reports a container in its restart back-off as both Running and Restarting.
    expect(exitReason({ State: { Running: true, Restarting: true, ExitCode: 3 }, RestartCount: 1 })).toBe("container exited with code 3 before it became healthy");
    expect(exitReason({ State: { Running: true, Restarting: false, ExitCode: 0 }, RestartCount: 2 })).toBe("container exited and was restarted 2 time(s) before it became healthy");
  });
});
