// The one progress reducer, on whole event streams as operations record them: exact output for a
// deploy, a deploy that lost a server, an adopt that failed while connecting, and a stream read
// in two pieces with a replay in between (a reconnect).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { emptyProgress, nextActions, progressOf, reduceProgress, releaseStateLabel, stepLabel, type Progress, type ProgressEvent } from "../src/progress/index.js";

function recorded(name: string): ProgressEvent[] {
  return JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", "events", `${name}.json`), "utf8")) as ProgressEvent[];
}

/** A compact, exact view: one line per step. */
function lines(progress: Progress): string[] {
  return progress.lanes.flatMap((lane) =>
    lane.steps.map((s) => `${lane.serverId ?? "-"} | ${s.label} | ${s.status}${s.releaseState ? ` | ${s.releaseState}` : ""} | ${s.message}`),
  );
}

describe("a deploy to three servers", () => {
  const events = recorded("deploy-three-servers");

  it("ends with every step done, traffic routed, and the outcome", () => {
    const progress = progressOf(events);
    expect(lines(progress)).toMatchInlineSnapshot(`
      [
        "host-a | Image | done | Pulling registry.test/shop/web:1 (unless the server has it)",
        "host-a | Release | done | SWITCHED | nginx routes web.shop.slipway.internal",
        "host-b | Image | done | Copying slipway/shop-web:deploy_1b05dae5",
        "host-b | Release | done | SWITCHED | nginx routes web.shop.slipway.internal",
        "host-c | Image | done | Copying slipway/shop-web:deploy_1b05dae5",
        "host-c | Release | done | SWITCHED | nginx routes web.shop.slipway.internal",
        "- | Traffic moved | done | Every server routes traffic to slipway/shop-web:deploy_1b05dae5",
        "- | Clean up images | done | Removed 0 images, reclaimed 0 bytes",
      ]
    `);
    expect(progress.routed).toBe(true);
    expect(progress.outcome).toEqual({ ok: true, cancelled: false, message: "Succeeded" });
    expect(progress.lastSeq).toBe(events.at(-1)!.seq);
    expect(nextActions({ kind: "DEPLOY", status: "SUCCEEDED" }, progress)).toEqual([]);
  });

  it("says mid-way which server is at which state", () => {
    const routedAt = events.findIndex((e) => e.step === "routed");
    const partial = progressOf(events.slice(0, routedAt + 1));
    expect(partial.outcome).toBeNull();
    expect(partial.routed).toBe(true);
    expect(partial.lanes.flatMap((l) => l.steps.filter((s) => s.step === "release").map((s) => [l.serverId, s.status, s.releaseState]))).toMatchInlineSnapshot(`
      [
        [
          "host-a",
          "running",
          "SWITCHED",
        ],
        [
          "host-b",
          "running",
          "SWITCHED",
        ],
        [
          "host-c",
          "running",
          "SWITCHED",
        ],
      ]
    `);
  });

  it("gives the same result when read in two pieces with a replay in between (a reconnect)", () => {
    const cut = Math.floor(events.length / 2);
    const first = progressOf(events.slice(0, cut));
    // The new subscription resumes a few events early; those come again and change nothing.
    const resumed = progressOf(events.slice(cut - 3), first);
    expect(resumed).toEqual(progressOf(events));
    expect(reduceProgress(resumed, events[2]!)).toBe(resumed);
  });
});

describe("a deploy that lost a server", () => {
  const events = recorded("deploy-lost-server");

  it("marks the lost server's release failed (state unknown), the others put back, and the run failed", () => {
    const progress = progressOf(events);
    expect(lines(progress)).toMatchInlineSnapshot(`
      [
        "host-a | Image | done | Pulling registry.test/shop/web:2b (unless the server has it)",
        "host-a | Release | done | SWITCHED | nginx routes web.shop.slipway.internal",
        "host-a | Put back | warning | REVERTED | Put back slipway/shop-web:deploy_1b05dae5",
        "host-b | Image | done | Copying slipway/shop-web:deploy_6d12786a",
        "host-b | Release | done | SWITCHED | nginx routes web.shop.slipway.internal",
        "host-b | Put back | warning | REVERTED | Put back slipway/shop-web:deploy_1b05dae5",
        "host-c | Image | done | Copying slipway/shop-web:deploy_6d12786a",
        "host-c | Release | failed | UNKNOWN | host-c: lost contact during the switch (no word from the agent for 6s); what it runs is unknown until it answers again, then Slipway brings it in line",
      ]
    `);
    expect(progress.routed).toBe(false);
    expect(progress.outcome?.ok).toBe(false);
    const lost = events.find((e) => e.releaseState === "UNKNOWN")!.serverId!;
    expect(nextActions({ kind: "DEPLOY", status: "FAILED" }, progress)).toEqual([{ kind: "open-server", serverId: lost }]);
  });
});

describe("an adopt that failed while connecting", () => {
  const events = recorded("adopt-connect-failed");

  it("shows the connect step failed, not done, and offers a retry, a removal and the server", () => {
    const progress = progressOf(events);
    expect(lines(progress)).toEqual([
      "s-1 | Connect over SSH | failed | Connecting to root@10.213.0.99:22",
      "s-1 | Server status | failed | The server is marked ERROR: Could not connect to root@10.213.0.99:22: connection refused (is sshd running on that port?)",
    ]);
    expect(progress.outcome).toEqual({ ok: false, cancelled: false, message: "Failed: Could not connect to root@10.213.0.99:22: connection refused (is sshd running on that port?)" });
    expect(nextActions({ kind: "ADOPT", status: "FAILED" }, progress)).toEqual([
      { kind: "retry-install", serverId: "s-1" },
      { kind: "delete-server", serverId: "s-1" },
      { kind: "open-server", serverId: "s-1" },
    ]);
  });

  it("marks a step still running when the operation fails as the one that failed", () => {
    const progress = progressOf([
      { seq: 1, step: "connect", level: "INFO", message: "Connecting", serverId: "s-1" },
      { seq: 2, step: "finished", level: "ERROR", message: "Failed: timeout", serverId: null },
    ]);
    expect(lines(progress)).toEqual(["s-1 | Connect over SSH | failed | Connecting"]);
  });
});

describe("a deploy someone cancelled", () => {
  it("shows the step it stopped at as stopped, not failed, and offers nothing to repair", () => {
    const progress = progressOf([
      { seq: 1, step: "release", level: "INFO", message: "starting x:deploy_2", serverId: "s-1", releaseState: "STARTING" },
      { seq: 2, step: "cancel", level: "WARN", message: "Cancel requested by Ada", serverId: null },
      { seq: 3, step: "finished", level: "WARN", message: "Cancelled", serverId: null },
    ]);
    expect(lines(progress)).toEqual([
      "s-1 | Release | warning | STARTING | starting x:deploy_2",
      "- | Cancel requested | warning | Cancel requested by Ada",
    ]);
    expect(progress.outcome).toEqual({ ok: false, cancelled: true, message: "Cancelled" });
    expect(nextActions({ kind: "DEPLOY", status: "RUNNING" }, progress)).toEqual([]);
  });
});

describe("the reducer's rules", () => {
  it("ignores log lines, keeps a warning visible and starts from nothing", () => {
    expect(emptyProgress).toEqual({ lastSeq: 0, lanes: [], routed: false, outcome: null });
    const progress = progressOf([
      { seq: 1, step: "build", level: "INFO", message: "Building", serverId: "s-1" },
      { seq: 2, step: "build", level: "DEBUG", message: "Step 1/3 : FROM node", serverId: "s-1" },
      { seq: 3, step: "dns", level: "WARN", message: "No zone holds shop.test", serverId: null },
      { seq: 4, step: "dns", level: "INFO", message: "DNS in step", serverId: null },
    ]);
    expect(lines(progress)).toEqual(["s-1 | Build the image | running | Building", "- | DNS records | warning | DNS in step"]);
    expect(progress.lastSeq).toBe(4);
  });

  it("names steps in words, and spells out ones it does not know", () => {
    expect(stepLabel("connect")).toBe("Connect over SSH");
    expect(stepLabel("image")).toBe("Image");
    expect(stepLabel("warm-caches")).toBe("Warm caches");
    expect(releaseStateLabel("UNKNOWN")).toBe("Unknown: contact lost");
    expect(releaseStateLabel("SWITCHED")).toBe("Serving");
  });
});
