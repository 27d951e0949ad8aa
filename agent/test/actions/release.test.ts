// Release orchestration with the engine's recording twin, a recording executor and a real HTTP
// server standing in for the new container's app (the twin publishes its port).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../src/actions/deps.js";
import { giveUpRelease, GIVEN_UP, REFUSED } from "../../src/actions/give-up-release.js";
import { release, ReleaseTracker } from "../../src/actions/release.js";
import { serviceStatus } from "../../src/actions/services.js";
import { slipwayLabels } from "../../src/commands/docker.js";
import { siteContents, sitePath } from "../../src/commands/nginx.js";
import { RecordingEngine, type RecordingEngineOptions } from "../../src/engine/index.js";
import { RecordingExecutor } from "../../src/exec/index.js";
import { retireLeftoverStandbys, Standbys } from "../../src/actions/standbys.js";
import { InFlightReleases } from "../../src/actions/in-flight-releases.js";
import { Locks } from "../../src/locks.js";
import { IllegalTransitionError, type AgentStreamLine, type GiveUpResult, type ReleaseRequest } from "../../src/protocol/index.js";

const DEP = "0f8fad5b-d9cb-469f-a165-70867728950e";
const OLD_DEP = "aaaaaaaa-d9cb-469f-a165-70867728950e";
const ROLLBACK_DEP = "bbbbbbbb-d9cb-469f-a165-70867728950e";
const IMAGE = "slipway/web:deploy_0f8fad5b";
const SECRET = "very-secret-value";
const SITE = sitePath("/etc/nginx", "web");
let appStatus = 200;
let appPort = 0;
let oldAppPort = 0;
const app = http.createServer((req, res) => {
  res.statusCode = req.url === "/up" ? appStatus : 404;
  res.end("x");
});
// The previous release's app, for resuming it from standby.
const oldApp = http.createServer((_req, res) => res.end("old"));

beforeAll(async () => {
  await new Promise<void>((r) => app.listen(0, "127.0.0.1", () => r()));
  await new Promise<void>((r) => oldApp.listen(0, "127.0.0.1", () => r()));
  appPort = (app.address() as AddressInfo).port;
  oldAppPort = (oldApp.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => app.close(() => r()));
  await new Promise<void>((r) => oldApp.close(() => r()));
});

const OLD_SITE = siteContents({ service: "web", deployment: OLD_DEP, domains: ["web.test"], hostPort: 30001, tls: null });
const NEW_SITE = () => siteContents({ service: "web", deployment: DEP, domains: ["web.test"], hostPort: appPort, tls: null });

/** A server running the old release of "web" on host port 30001, with the new image present. */
function server(opts: RecordingEngineOptions = {}, exec = new RecordingExecutor({ files: { [SITE]: OLD_SITE } })) {
  const engine = new RecordingEngine({ hostPort: () => appPort, logs: [`app says ${SECRET}`], ...opts });
  engine.addImage(IMAGE, slipwayLabels("web", DEP));
  const old = engine.addContainer({ name: "slipway-web-aaaaaaaa", image: "slipway/web:deploy_aaaaaaaa", labels: slipwayLabels("web", OLD_DEP), hostPort: 30001 });
  const deps: AgentDeps = { engine, docker: {} as Docker, exec, nginxDir: "/etc/nginx", stateDir: "/opt/slipway/state", locks: new Locks(), standbys: new Standbys(), releases: new InFlightReleases(), startedAt: 0 };
  return { engine, exec, deps, old };
}

function request(extra: Partial<ReleaseRequest> = {}): ReleaseRequest {
  return {
    service: "web",
    deployment: DEP,
    image: IMAGE,
    port: 8080,
    env: { SECRET_TOKEN: SECRET },
    healthCheck: { path: "/up", timeoutSeconds: 2, intervalMs: 50 },
    domains: ["web.test"],
    drainTimeoutSeconds: 0,
    standbySeconds: 0,
    ...extra,
  };
}

async function run(deps: AgentDeps, req: ReleaseRequest) {
  const lines: AgentStreamLine[] = [];
  const result = await release(deps, req, (l) => lines.push(l));
  return { result, lines, states: lines.flatMap((l) => (l.type === "state" ? [l.state] : [])) };
}

describe("release", () => {
  it("starts, stages nginx while waiting for health, switches with only a reload, then drains and removes the previous container", async () => {
    appStatus = 200;
    const { engine, exec, deps, old } = server();
    const { result, lines, states } = await run(deps, request());
    const created = [...engine.containers.values()].find((c) => c.name === "slipway-web-0f8fad5b")!;
    expect(result).toEqual({ state: "stopped", containerId: created.id, previousContainerId: old, error: null });
    expect(states).toEqual(["starting", "healthy", "switched", "draining", "stopped"]);
    expect(lines[0]).toMatchObject({ type: "state", state: "starting", message: `starting slipway-web-0f8fad5b from ${IMAGE}; waiting up to 2s for GET /up to answer (every 50 ms)` });
    expect(engine.changes()).toEqual([
      "removeContainer slipway-web-0f8fad5b",
      "createContainer slipway-web-0f8fad5b",
      "startContainer slipway-web-0f8fad5b",
      "stopContainer slipway-web-aaaaaaaa",
      "removeContainer slipway-web-aaaaaaaa",
    ]);
    // Staged (written, checked, put back) before health; after health only the write and the reload.
    expect(exec.calls).toEqual([
      { kind: "write", path: SITE, contents: NEW_SITE(), mode: 0o644 },
      { kind: "run", argv: ["nginx", "-t", "-q", "-c", "/etc/nginx/nginx.conf"] },
      { kind: "write", path: SITE, contents: OLD_SITE, mode: 0o644 },
      { kind: "write", path: SITE, contents: NEW_SITE(), mode: 0o644 },
      { kind: "run", argv: ["nginx", "-s", "reload", "-c", "/etc/nginx/nginx.conf"] },
    ]);
    expect(created.env).toEqual([`SECRET_TOKEN=${SECRET}`]);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it("removes a container that never becomes healthy and touches neither nginx nor the old container", async () => {
    appStatus = 500;
    const { engine, exec, deps, old } = server();
    const { result, lines, states } = await run(deps, request({ healthCheck: { path: "/up", timeoutSeconds: 1, intervalMs: 200 } }));
    expect(result).toMatchObject({ state: "failed", containerId: null, previousContainerId: old });
    expect(result.error).toMatch(/^slipway-web-0f8fad5b never became healthy: health check GET \/up did not pass within 1s \(last: HTTP 500\); last log lines:\napp says \[redacted\]$/);
    expect(states).toEqual(["starting", "unhealthy", "failed"]);
    expect(engine.changes()).toEqual(["removeContainer slipway-web-0f8fad5b", "createContainer slipway-web-0f8fad5b", "startContainer slipway-web-0f8fad5b", "removeContainer slipway-web-0f8fad5b"]);
    expect(exec.commands().map((argv) => argv.slice(0, 2).join(" "))).toEqual(["nginx -t"]);
    expect(await exec.readFile(SITE)).toBe(OLD_SITE);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it("gives up before the switch when its caller goes away: the new container removed, nginx and the old container untouched", async () => {
    appStatus = 500;
    const { engine, exec, deps, old } = server();
    const callerGone = new AbortController();
    const lines: AgentStreamLine[] = [];
    const req = request({ healthCheck: { path: "/up", timeoutSeconds: 3, intervalMs: 50 } });
    const result = await release(deps, req, (line) => {
      lines.push(line);
      if (line.type === "state" && line.state === "starting") setTimeout(() => callerGone.abort(), 100);
    }, callerGone.signal);
    expect(result).toEqual({
      state: "failed",
      containerId: null,
      previousContainerId: old,
      error: "given up: the control plane that asked for this release went away before the switch",
    });
    expect(lines.flatMap((l) => (l.type === "state" ? [l.state] : []))).toEqual(["starting", "failed"]);
    expect(engine.changes()).toEqual(["removeContainer slipway-web-0f8fad5b", "createContainer slipway-web-0f8fad5b", "startContainer slipway-web-0f8fad5b", "removeContainer slipway-web-0f8fad5b"]);
    expect(await exec.readFile(SITE)).toBe(OLD_SITE);
    // Gone before it started (it waited behind another release of the service): nothing is started.
    const fresh = server();
    expect(await release(fresh.deps, req, () => {}, AbortSignal.abort())).toMatchObject({ state: "failed", error: result.error });
    expect(fresh.engine.changes()).toEqual([]);
  });

  it("fails at once, with the container's last log lines, when it exits before Docker publishes its port", async () => {
    const { engine, exec, deps, old } = server({ crash: { restarts: 1, published: false } });
    const { result, states } = await run(deps, request({ healthCheck: { path: "/up", timeoutSeconds: 30, intervalMs: 200 } }));
    expect(result).toMatchObject({ state: "failed", previousContainerId: old });
    expect(result.error).toBe("slipway-web-0f8fad5b never became healthy: container exited with code 3 before it became healthy; last log lines:\napp says [redacted]");
    expect(states).toEqual(["starting", "unhealthy", "failed"]);
    expect(engine.changes().at(-1)).toBe("removeContainer slipway-web-0f8fad5b");
    expect(exec.calls).toEqual([]);
  });

  it("does not wait out the health check timeout for a container Docker keeps restarting", async () => {
    appStatus = 500;
    const { deps } = server({ crash: { restarts: 2, published: true } });
    const t0 = Date.now();
    const { result } = await run(deps, request({ healthCheck: { path: "/up", timeoutSeconds: 30, intervalMs: 200 } }));
    expect(result.error).toMatch(/^slipway-web-0f8fad5b never became healthy: container exited and was restarted 2 time\(s\) before it became healthy; /);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("fails without waiting for health when nginx -t refuses the new site, and keeps the old site", async () => {
    appStatus = 500;
    const exec = new RecordingExecutor({
      files: { [SITE]: OLD_SITE },
      respond: (argv) => (argv[1] === "-t" ? { exitCode: 1, stdout: "", stderr: "nginx: [emerg] bad" } : undefined),
    });
    const { engine, deps } = server({}, exec);
    const t0 = Date.now();
    const { result, states } = await run(deps, request({ healthCheck: { path: "/up", timeoutSeconds: 30, intervalMs: 200 } }));
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(result).toMatchObject({ state: "failed", containerId: null, error: "nginx -t rejected the new configuration: nginx: [emerg] bad" });
    expect(states).toEqual(["starting", "failed"]);
    expect(await exec.readFile(SITE)).toBe(OLD_SITE);
    expect(engine.changes()).toContain("removeContainer slipway-web-0f8fad5b");
    expect(engine.changes()).not.toContain("stopContainer slipway-web-aaaaaaaa");
    expect(exec.commands().map((argv) => argv[1])).toEqual(["-t"]);
  });

  it("fails before touching anything when the image is not on the server", async () => {
    const { engine, exec, deps } = server();
    const { result, states } = await run(deps, request({ image: "slipway/web:deploy_ffffffff" }));
    expect(result).toMatchObject({ state: "failed", error: "image slipway/web:deploy_ffffffff is not on this server (build, load or pull it first)" });
    expect(states).toEqual(["failed"]);
    expect(engine.changes()).toEqual([]);
    expect(exec.calls).toEqual([]);
  });

  it("switches at once when the same deployment already serves", async () => {
    const { engine, deps } = server();
    engine.addContainer({ name: "slipway-web-0f8fad5b", image: IMAGE, labels: slipwayLabels("web", DEP), hostPort: 30002 });
    const exec = deps.exec as RecordingExecutor;
    await exec.writeFile({ path: SITE, contents: siteContents({ service: "web", deployment: DEP, domains: [], hostPort: 30002, tls: null }) });
    exec.calls.length = 0;
    const { result, states } = await run(deps, request());
    expect(states).toEqual(["switched"]);
    expect(result).toMatchObject({ state: "switched", previousContainerId: null, error: null });
    expect(engine.changes()).toEqual([]);
    expect(exec.calls).toEqual([]);
  });

  it("never lets an env value out through a Docker error", async () => {
    const { deps } = server({ createError: `invalid env SECRET_TOKEN=${SECRET}` });
    const { result, lines } = await run(deps, request());
    expect(result.state).toBe("failed");
    expect(result.error).toBe("docker: invalid env SECRET_TOKEN=[redacted]");
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });
});

describe("giving a release up (give-up-release.ts)", () => {
  const give = { service: "web", deployment: DEP };

  it("stops a release waiting for its health check as if its caller had gone, and refuses a later release of that deployment", async () => {
    appStatus = 500;
    const { engine, exec, deps, old } = server();
    let answer: Promise<GiveUpResult> | null = null;
    const lines: AgentStreamLine[] = [];
    const result = await release(deps, request({ healthCheck: { path: "/up", timeoutSeconds: 5, intervalMs: 50 } }), (line) => {
      lines.push(line);
      if (line.type === "state" && line.state === "starting") setTimeout(() => (answer = giveUpRelease(deps, give)), 100);
    });
    expect(result).toEqual({ state: "failed", containerId: null, previousContainerId: old, error: GIVEN_UP });
    expect(lines.flatMap((l) => (l.type === "state" ? [l.state] : []))).toEqual(["starting", "failed"]);
    // It answers once the release has ended: its new container is gone by then.
    expect(await answer!).toEqual({ outcome: "gave_up" });
    expect(engine.changes()).toEqual(["removeContainer slipway-web-0f8fad5b", "createContainer slipway-web-0f8fad5b", "startContainer slipway-web-0f8fad5b", "removeContainer slipway-web-0f8fad5b"]);
    expect(await exec.readFile(SITE)).toBe(OLD_SITE);

    // The replica that was frozen resumes and asks again (after its image step): nothing starts.
    appStatus = 200;
    engine.calls.length = 0;
    const again = await run(deps, request());
    expect(again.result).toMatchObject({ state: "failed", containerId: null, error: REFUSED });
    expect(again.states).toEqual(["failed"]);
    expect(engine.changes()).toEqual([]);
    // Other deployments of the service release as usual.
    engine.addImage("slipway/web:deploy_cccccccc", slipwayLabels("web", ROLLBACK_DEP));
    expect((await run(deps, request({ deployment: ROLLBACK_DEP, image: "slipway/web:deploy_cccccccc" }))).result.state).toBe("stopped");
  });

  it("answers nothing_in_flight when no release of it runs, and refuses one that comes later", async () => {
    const { engine, deps } = server();
    expect(await giveUpRelease(deps, give)).toEqual({ outcome: "nothing_in_flight" });
    expect((await run(deps, request())).result).toMatchObject({ state: "failed", error: REFUSED });
    expect(engine.changes()).toEqual([]);
  });

  it("lets a release past its health check finish its switch, and answers switched once it has", async () => {
    appStatus = 200;
    const { engine, deps } = server();
    const order: string[] = [];
    let answer: Promise<GiveUpResult> | null = null;
    const result = await release(deps, request(), (line) => {
      if (line.type === "state" && line.state === "healthy") answer = giveUpRelease(deps, give).finally(() => order.push("answer"));
    });
    order.push("release");
    expect(result.state).toBe("stopped");
    expect(await answer!).toEqual({ outcome: "switched" });
    expect(order).toEqual(["release", "answer"]);
    // Already switched: the same answer, and nothing is touched; it is not refused later (the
    // fleet may stay on it), and a release of it while it serves changes nothing.
    const changes = engine.changes().length;
    expect(await giveUpRelease(deps, give)).toEqual({ outcome: "switched" });
    expect(engine.changes()).toHaveLength(changes);
    expect((await run(deps, request())).states).toEqual(["switched"]);
    expect(engine.changes()).toHaveLength(changes);
  });

  it("forgets a given-up deployment after a while", async () => {
    let now = 1_000;
    const releases = new InFlightReleases(60_000, () => now);
    expect(releases.giveUp("web", DEP, "refused")).toEqual([]);
    const refusal = async () =>
      (await releases.track("web", DEP, () => {}, async (_emit, givenUp) => ({ state: "failed", containerId: null, previousContainerId: null, error: givenUp.aborted ? String(givenUp.reason) : null }))).error;
    expect(await refusal()).toBe("refused");
    now += 59_999;
    expect(await refusal()).toBe("refused");
    now += 1;
    expect(await refusal()).toBeNull();
  });
});

describe("draining", () => {
  it("stops the old container as soon as nginx's old workers have exited, well before the drain limit", async () => {
    appStatus = 200;
    // nginx master 100 with worker 101; after the reload 102 takes over and 101 exits a little later.
    let reloadedAt = 0;
    const exec = new RecordingExecutor({
      files: { [SITE]: OLD_SITE, "/etc/nginx/nginx.conf": "pid /run/nginx.pid;\n", "/run/nginx.pid": "100\n", "/proc/100/stat": "100 (nginx) S 1 0" },
      onSignal: () => void (reloadedAt = Date.now()),
    });
    const oldGone = () => reloadedAt > 0 && Date.now() - reloadedAt > 300;
    const listDir = exec.listDir.bind(exec);
    const readFile = exec.readFile.bind(exec);
    exec.listDir = async (p) => (p === "/proc" ? ["100", ...(oldGone() ? [] : ["101"]), ...(reloadedAt ? ["102"] : [])] : listDir(p));
    exec.readFile = async (p) => {
      if (p === "/proc/101/stat") return oldGone() ? null : "101 (nginx) S 100 0";
      if (p === "/proc/102/stat") return reloadedAt ? "102 (nginx) S 100 0" : null;
      if (p === "/proc/101/cmdline") return reloadedAt ? "nginx: worker process is shutting down\0" : "nginx: worker process\0";
      if (p === "/proc/102/cmdline") return "nginx: worker process\0";
      return readFile(p);
    };
    const { engine, deps } = server({}, exec);
    const stoppedAt: number[] = [];
    const stop = engine.stopContainer.bind(engine);
    engine.stopContainer = async (id: string) => {
      stoppedAt.push(Date.now());
      return stop(id);
    };
    const { result, lines } = await run(deps, request({ drainTimeoutSeconds: 30 }));
    expect(result.state).toBe("stopped");
    expect(lines.find((l) => l.type === "state" && l.state === "draining")).toMatchObject({ message: "letting in-flight requests to slipway-web-aaaaaaaa finish (at most 30s)" });
    expect(lines.find((l) => l.type === "state" && l.state === "stopped")).toMatchObject({ message: "stopped and removed slipway-web-aaaaaaaa" });
    expect(stoppedAt[0]! - reloadedAt).toBeGreaterThanOrEqual(300);
    expect(stoppedAt[0]! - reloadedAt).toBeLessThan(5_000);
  });
});

describe("standbys", () => {
  /** The old release serves (on the old app's port) and its image is here too. */
  function serving() {
    const exec = new RecordingExecutor({ files: { [SITE]: siteContents({ service: "web", deployment: OLD_DEP, domains: ["web.test"], hostPort: oldAppPort, tls: null }) } });
    const engine = new RecordingEngine({ hostPort: () => appPort });
    engine.addImage(IMAGE, slipwayLabels("web", DEP));
    engine.addImage("slipway/web:deploy_aaaaaaaa", slipwayLabels("web", OLD_DEP));
    const old = engine.addContainer({ name: "slipway-web-aaaaaaaa", image: "slipway/web:deploy_aaaaaaaa", labels: slipwayLabels("web", OLD_DEP), hostPort: oldAppPort });
    const standbys = new Standbys();
    const deps: AgentDeps = { engine, docker: {} as Docker, exec, nginxDir: "/etc/nginx", stateDir: "/opt/slipway/state", locks: new Locks(), standbys, releases: new InFlightReleases(), startedAt: 0 };
    return { engine, deps, old, standbys };
  }

  it("pauses the container that served before instead of removing it, and a rollback resumes it without starting a container", async () => {
    appStatus = 200;
    const { engine, deps, old, standbys } = serving();
    const forward = await run(deps, request({ standbySeconds: 60 }));
    expect(forward.result.state).toBe("stopped");
    expect(forward.lines.at(-1)).toMatchObject({ state: "stopped", message: "paused slipway-web-aaaaaaaa for 60s (a rollback to it resumes it)" });
    expect(engine.changes().slice(-1)).toEqual(["pauseContainer slipway-web-aaaaaaaa"]);
    expect(engine.containers.get(old)!.state).toBe("paused");

    engine.calls.length = 0;
    // A rollback is a new deployment with the old one's image and config; it names the one it restores.
    const back = await run(deps, request({ deployment: ROLLBACK_DEP, resumes: OLD_DEP, image: "slipway/web:deploy_aaaaaaaa", standbySeconds: 60 }));
    expect(back.states).toEqual(["starting", "healthy", "switched", "draining", "stopped"]);
    expect(back.lines[0]).toMatchObject({ message: expect.stringMatching(/^resuming slipway-web-aaaaaaaa, kept paused since it was replaced; waiting up to 2s/) });
    expect(back.result).toMatchObject({ state: "stopped", containerId: old });
    // No container was created: the old one was resumed, and the new one became the standby.
    expect(engine.changes()).toEqual(["unpauseContainer slipway-web-aaaaaaaa", "pauseContainer slipway-web-0f8fad5b"]);
    // What the server runs is the rollback's deployment (its site says so), in the restored container.
    expect(await serviceStatus(deps, "web")).toMatchObject({ deployment: ROLLBACK_DEP, containerId: old, running: true });
    standbys.stop();
  });

  it("removes a standby when its time is up, resuming it first so its app stops gracefully", async () => {
    const { engine, deps } = serving();
    await run(deps, request({ standbySeconds: 1 }));
    expect(engine.changes().at(-1)).toBe("pauseContainer slipway-web-aaaaaaaa");
    await new Promise((r) => setTimeout(r, 1_300));
    expect(engine.changes().slice(-3)).toEqual(["unpauseContainer slipway-web-aaaaaaaa", "stopContainer slipway-web-aaaaaaaa", "removeContainer slipway-web-aaaaaaaa"]);
  });

  it("removes standbys a previous run of the agent left paused", async () => {
    const engine = new RecordingEngine();
    engine.addContainer({ name: "slipway-web-aaaaaaaa", image: "x", labels: slipwayLabels("web", OLD_DEP), hostPort: 1, paused: true });
    engine.addContainer({ name: "slipway-web-0f8fad5b", image: "x", labels: slipwayLabels("web", DEP), hostPort: 2 });
    engine.addContainer({ name: "someone-else", image: "x", labels: {}, hostPort: 3, paused: true });
    expect(await retireLeftoverStandbys(engine)).toEqual(["slipway-web-aaaaaaaa"]);
    expect([...engine.containers.values()].map((c) => c.name).sort()).toEqual(["slipway-web-0f8fad5b", "someone-else"]);
  });
});

describe("ReleaseTracker", () => {
  it("emits each state once and refuses a transition the table does not allow", () => {
    const lines: AgentStreamLine[] = [];
    const tracker = new ReleaseTracker((l) => lines.push(l), (t) => t.replace("s3cr3t", "[redacted]"));
    tracker.to("starting", "starting with s3cr3t");
    expect(() => tracker.to("switched", "too early")).toThrow(new IllegalTransitionError("starting", "switched"));
    tracker.to("unhealthy", "no");
    tracker.to("failed", "gone");
    expect(() => tracker.to("starting", "again")).toThrow(IllegalTransitionError);
    expect(lines.map((l) => l.type === "state" && [l.state, l.message])).toEqual([
      ["starting", "starting with [redacted]"],
      ["unhealthy", "no"],
      ["failed", "gone"],
    ]);
    expect(tracker.state).toBe("failed");
  });
});
