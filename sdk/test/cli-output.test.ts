import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ignore from "ignore";
import { describe, expect, it } from "vitest";
import { SlipwayGraphQLError, SlipwayTransportError } from "../src/errors.js";
import { isExcluded, listArchiveEntries, readIgnoreRules } from "../src/cli/archive.js";
import { configPath } from "../src/cli/config-file.js";
import { parseStatus } from "../src/cli/commands/deployments.js";
import { CliError, exitCodeFor } from "../src/cli/exit-codes.js";
import { databaseId, globalId } from "../src/cli/global-ids.js";
import { parseServicePath, pickServers } from "../src/cli/lookup.js";
import { progressBar, redraw, renderBoard } from "../src/cli/output/board.js";
import { progressOf } from "../src/progress/index.js";
import {
  cancelRequestJson, eventJson, formatCancelRequest, formatEventLine, formatOperationEnd, formatOutcome, operationEndJson, outcomeJson, type OperationEvent, type Outcome,
} from "../src/cli/output/events.js";
import { describeSource, formatDeployConfig, formatServers } from "../src/cli/output/listings.js";
import { formatTable } from "../src/cli/output/table.js";
import { describeError, unwrap } from "../src/cli/results.js";
import { apiUrl } from "../src/cli/session.js";
import { sourceOf } from "../src/cli/source-options.js";

const names = new Map([["id-a", "host-a"]]);
const event = (over: Partial<OperationEvent>): OperationEvent => ({
  seq: 1, step: "release", level: "INFO", message: "waiting", progress: null, serverId: "id-a", releaseState: null, createdAt: "2026-11-29T04:05:06.789Z", ...over,
});

describe("event lines", () => {
  it("show time, server, step, message and progress; levels above INFO are named", () => {
    expect(formatEventLine(event({ progress: 0.5 }), names)).toBe("04:05:06 [host-a] release: waiting (50%)");
    expect(formatEventLine(event({ serverId: null, level: "ERROR", step: "finished", message: "Failed" }), names)).toBe(
      "04:05:06 ERROR [slipway] finished: Failed",
    );
    expect(formatEventLine(event({ serverId: "0123456789abcdef" }), names)).toBe("04:05:06 [01234567] release: waiting");
    expect(formatEventLine(event({ releaseState: "SWITCHED", message: "nginx routes web.test", progress: 0.8 }), names)).toBe(
      "04:05:06 [host-a] release (switched): nginx routes web.test (80%)",
    );
  });

  it("are one JSON object each in --json mode, and the summary carries the exit code", () => {
    expect(JSON.parse(eventJson(event({})))).toEqual({ type: "event", ...event({}) });
    const outcome: Outcome = {
      kind: "deploy", deploymentId: "d1", operationId: "o1", service: "shop/web", status: "FAILED", error: "Failed on host-a: boom", imageTag: "x:deploy_1",
      targets: [{ serverId: "id-a", state: "FAILED", error: "boom" }, { serverId: "id-b", state: "REVERTED", error: null }],
    };
    expect(JSON.parse(outcomeJson(outcome, 1))).toEqual({ type: "summary", ...outcome, exitCode: 1 });
    expect(formatOutcome(outcome, names)).toBe("Deploy of shop/web FAILED: Failed on host-a: boom\n  host-a: failed (boom)\n  id-b: put back");
    expect(formatOutcome({ ...outcome, kind: "rollback", status: "SUCCEEDED" }, names)).toBe("Rolled back shop/web: x:deploy_1 is live (deployment d1)");
  });
});

describe("cancel requests", () => {
  const id = Buffer.from("Operation:3f2a9c1e-0000-4000-8000-000000000000").toString("base64");
  it("say a queued operation ended at once, and how to follow a running one as it stops", () => {
    expect(formatCancelRequest({ id, title: "Deploy shop/web", status: "CANCELLED" }, "5b1c0d2e")).toBe("Cancelled: Deploy shop/web (operation 3f2a9c1e)");
    expect(formatCancelRequest({ id, title: "Deploy shop/web", status: "RUNNING" }, "5b1c0d2e")).toBe(
      "Cancel requested: Deploy shop/web stops at its next safe point and puts its servers back; follow it with `slipway logs --follow 5b1c0d2e`",
    );
    expect(JSON.parse(cancelRequestJson({ id, title: "Deploy shop/web", status: "RUNNING" }))).toEqual({ operationId: id, title: "Deploy shop/web", status: "RUNNING" });
  });
});

describe("operation endings", () => {
  it("say done, or the status and the error", () => {
    const end = { operationId: "o1", title: "Adopt web-3 (root@10.0.0.3:22)", status: "FAILED", error: "connection refused" };
    expect(formatOperationEnd(end)).toBe("Adopt web-3 (root@10.0.0.3:22): FAILED (connection refused)");
    expect(formatOperationEnd({ ...end, status: "SUCCEEDED", error: null })).toBe("Adopt web-3 (root@10.0.0.3:22): done");
    expect(JSON.parse(operationEndJson(end, 1))).toEqual({ type: "summary", ...end, exitCode: 1 });
  });
});

describe("the live board", () => {
  it("draws the shared progress: one row per server and step, in words, earlier steps done", () => {
    const progress = progressOf([
      event({ seq: 1, step: "image", message: "pulling" }),
      event({ seq: 2, step: "release", message: "starting", progress: 0.2, releaseState: "STARTING" }),
      event({ seq: 3, step: "release", message: "nginx routes web.test", progress: 0.8, releaseState: "SWITCHED" }),
      event({ seq: 4, serverId: null, step: "routed", message: "Every server serves x:deploy_1" }),
    ]);
    expect(renderBoard(progress, names, 80)).toEqual([
      "+ host-a   Image              [##########] 100%  pulling",
      "> host-a   Release (serving)  [########--]  80%  nginx routes web.test",
      "> slipway  Traffic moved                         Every server serves x:deploy_1",
    ]);
    const done = progressOf([event({ seq: 5, serverId: null, step: "finished", message: "Succeeded" })], progress);
    expect(renderBoard(done, names, 80).every((line) => line.startsWith("+"))).toBe(true);
  });

  it("keeps a row's warning or error visible, and cuts rows to the terminal's width", () => {
    const progress = progressOf([event({ seq: 1, level: "ERROR", message: "unhealthy" }), event({ seq: 2, message: "removing the new container" })]);
    expect(renderBoard(progress, names, 30)).toEqual(["x host-a  Release  [#########…"]);
  });

  it("redraws by moving the cursor up over the lines drawn before", () => {
    expect(redraw(0, ["a"])).toBe("\r\x1b[2Ka\n");
    expect(redraw(2, ["a", "b", "c"])).toBe("\x1b[2A\r\x1b[2Ka\n\r\x1b[2Kb\n\r\x1b[2Kc\n");
    expect(progressBar(0.25)).toBe("[###-------]");
    expect(progressBar(null)).toBe("            ");
  });
});

describe("tables", () => {
  it("pad columns to the widest cell", () => {
    expect(formatTable(["A", "LONGER"], [["xyz", "1"], ["q", "22"]])).toBe("A    LONGER\nxyz  1\nq    22");
    const server = {
      id: "s1", name: "host-a", kind: "SSH_HOST", status: "ACTIVE", publicIpv4: "10.0.0.1", agentVersion: "0.1.0", agentOutdated: true, expectedAgentVersion: "0.2.0",
    } as Parameters<typeof formatServers>[0][number];
    expect(formatServers([server])).toBe("NAME    STATUS  KIND      ADDRESS   AGENT                  ID\nhost-a  ACTIVE  SSH_HOST  10.0.0.1  0.1.0 (expects 0.2.0)  s1");
    const lost = { ...server, status: "UNREACHABLE", unreachableSince: "2026-12-03T20:14:05.123Z" } as typeof server;
    expect(formatServers([lost]).split("\n")[1]).toBe("host-a  UNREACHABLE since 2026-12-03 20:14:05  SSH_HOST  10.0.0.1  0.1.0 (expects 0.2.0)  s1");
    expect(formatServers([])).toBe("No servers yet.");
    expect(describeSource({ source: { type: "GIT", repository: "https://git.test/a.git", ref: "main" } })).toBe("git https://git.test/a.git#main");
    const config = { id: "c1", name: "prod", settings: { source: { type: "ARCHIVE" }, serverIds: ["id-a", "id-x"] }, createdAt: "", updatedAt: "2026-11-29" };
    // Saved configs hold database ids; the names map is keyed by the API's global ids.
    expect(formatDeployConfig(config, new Map([[globalId("Server", "id-a"), "host-a"]]))).toBe("prod (c1)\n  source:  archive\n  servers: host-a, id-x\n  updated: 2026-11-29");
  });
});

describe("command-line input", () => {
  it("accepts the server's address with or without /graphql", () => {
    expect(apiUrl("https://slipway.example.com")).toBe("https://slipway.example.com/graphql");
    expect(apiUrl("http://127.0.0.1:4000/graphql")).toBe("http://127.0.0.1:4000/graphql");
    expect(() => apiUrl("slipway.example.com")).toThrow(CliError);
    expect(() => apiUrl("ftp://slipway.example.com")).toThrow(/http\(s\)/);
  });

  it("chooses exactly one source", () => {
    expect(sourceOf({})).toEqual({ type: "ARCHIVE" });
    expect(sourceOf({ image: "nginx:1" })).toEqual({ type: "IMAGE", image: "nginx:1" });
    expect(sourceOf({ image: "nginx:1", pull: "always" })).toEqual({ type: "IMAGE", image: "nginx:1", pullAlways: true });
    expect(sourceOf({ image: "nginx:1", pull: "missing" })).toEqual({ type: "IMAGE", image: "nginx:1" });
    expect(() => sourceOf({ image: "nginx:1", pull: "sometimes" })).toThrow(/--pull is "always" or "missing"/);
    expect(() => sourceOf({ pull: "always" })).toThrow(/--pull goes with --image/);
    expect(sourceOf({ git: "https://git.test/a.git", ref: "main" })).toEqual({ type: "GIT", repository: "https://git.test/a.git", ref: "main" });
    expect(() => sourceOf({ image: "a", config: "prod" })).toThrow(/Choose one source/);
    expect(() => sourceOf({ git: "https://git.test/a.git" })).toThrow(/go together/);
  });

  it("reads project/service, statuses and server names", () => {
    expect(parseServicePath("shop/web")).toEqual({ project: "shop", service: "web" });
    expect(() => parseServicePath("web")).toThrow(/project\/service/);
    expect(parseStatus("failed")).toBe("FAILED");
    expect(() => parseStatus("broken")).toThrow(/--status is one of/);
    const id = globalId("Server", "uuid-1");
    expect(databaseId(id)).toBe("uuid-1");
    expect(pickServers([{ id, name: "host-a" }], ["host-a", "uuid-1", id])).toEqual([id, id, id]);
    expect(() => pickServers([{ id, name: "host-a" }], ["host-z"])).toThrow(/No server named "host-z"/);
  });

  it("stores the login under XDG_CONFIG_HOME, else ~/.config", () => {
    expect(configPath({ XDG_CONFIG_HOME: "/x/config" })).toBe("/x/config/slipway/config.json");
    expect(configPath({ XDG_CONFIG_HOME: "relative" })).toMatch(/\/\.config\/slipway\/config\.json$/);
  });
});

describe("exit codes", () => {
  it("tell failures, usage, auth and transport errors apart", () => {
    expect(exitCodeFor(new SlipwayTransportError("down"))).toBe(4);
    expect(exitCodeFor(new SlipwayGraphQLError([{ message: "no", extensions: { code: "UNAUTHENTICATED" } }]))).toBe(3);
    expect(exitCodeFor(new SlipwayGraphQLError([{ message: "no", extensions: { code: "FORBIDDEN" } }]))).toBe(3);
    expect(exitCodeFor(new SlipwayGraphQLError([{ message: "bad id", extensions: { code: "BAD_USER_INPUT" } }]))).toBe(2);
    expect(exitCodeFor(new SlipwayGraphQLError([{ message: "too big", extensions: { code: "PAYLOAD_TOO_LARGE" } }], 413))).toBe(2);
    expect(exitCodeFor(new Error("bug"))).toBe(1);
  });

  it("follow the domain error a mutation returned", () => {
    expect(unwrap({ __typename: "MutationDeploySuccess", data: 1 } as { __typename: string; data: number })).toBe(1);
    const invalid = { __typename: "ValidationError", message: "Invalid input", fieldErrors: [{ path: ["source", "image"], message: "bad" }] };
    expect(describeError(invalid)).toBe("Invalid input\n  source.image: bad");
    expect(() => unwrap(invalid)).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => unwrap({ __typename: "ConflictError", message: "busy" })).toThrow(expect.objectContaining({ exitCode: 1 }));
    expect(() => unwrap({ __typename: "InvalidCredentialsError", message: "no" })).toThrow(expect.objectContaining({ exitCode: 3 }));
  });
});

describe("the uploaded folder", () => {
  it("leaves out node_modules and .git always, and what the root ignore files list", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "slipway-pack-"));
    for (const sub of ["a/node_modules/x", ".git", "dist", "keep"]) mkdirSync(path.join(dir, sub), { recursive: true });
    writeFileSync(path.join(dir, ".gitignore"), "dist/\n*.tmp\n!keep/important.tmp\n");
    writeFileSync(path.join(dir, ".slipwayignore"), "/README.md\n");
    for (const file of ["README.md", "a/README.md", "a/node_modules/x/i.js", ".git/HEAD", "dist/out.js", "keep/x.tmp", "keep/important.tmp", "main.js"]) {
      writeFileSync(path.join(dir, file), "");
    }
    expect(await listArchiveEntries(dir, await readIgnoreRules(dir))).toEqual([
      ".gitignore", ".slipwayignore", "a", "a/README.md", "keep", "keep/important.tmp", "main.js",
    ]);
    rmSync(dir, { recursive: true, force: true });
    expect(isExcluded(".git", true, ignore().add("!.git"))).toBe(true);
  });
});
