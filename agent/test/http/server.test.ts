// The HTTP layer alone: auth, validation, routing, stream framing. Actions are fakes that record
// whether they were called, so "nothing changed" means "no action ran".
import { Readable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AgentActions } from "../../src/actions/index.js";
import { buildAgent } from "../../src/app.js";
import { tokenSha256 } from "../../src/http/auth.js";
import { AgentError, AgentStreamLine, STREAM_HEARTBEAT_MS } from "../../src/protocol/index.js";

const TOKEN = "test-token-0123456789";
const DEP = "0f8fad5b-d9cb-469f-a165-70867728950e";
const calls: string[] = [];

function fakeActions(): AgentActions {
  const rec = (name: string) => {
    calls.push(name);
  };
  return {
    health: async () => (rec("health"), { version: "0.0.0", uptimeSeconds: 1, docker: { ok: true, version: "x", error: null }, nginx: { ok: true, error: null } }),
    stats: async () => (rec("stats"), { cpuPercent: 0, memoryUsedBytes: 0, memoryTotalBytes: 0, containers: [] }),
    listServices: async () => (rec("listServices"), { services: [] }),
    serviceStatus: async (service) => (rec(`serviceStatus:${service}`), { service, containerId: null, image: null, deployment: null, running: false, hostPort: null }),
    serviceLogs: async (service, tail, emit) => {
      rec(`serviceLogs:${service}:${tail}`);
      emit({ type: "log", step: "logs", line: "hello" });
      return { lines: 1 };
    },
    release: async (req, emit, callerGone) => {
      rec(`release:${req.service}`);
      emit({ type: "state", state: "starting", message: "starting", at: "2026-01-01T00:00:00.000Z" });
      // Runs until its caller goes away.
      if (req.domains.includes("gone.test")) {
        await new Promise((r) => callerGone!.addEventListener("abort", r, { once: true }));
        rec("release:caller gone");
      }
      // A quiet stretch longer than the heartbeat interval.
      if (req.domains.includes("slow.test")) await new Promise((r) => setTimeout(r, STREAM_HEARTBEAT_MS * 1.6));
      return { state: "switched", containerId: "c", previousContainerId: null, error: null };
    },
    giveUpRelease: async (req) => (rec(`giveUp:${req.service}:${req.deployment}`), { outcome: "gave_up" }),
    buildImage: async (q, body, emit) => {
      rec(`build:${q.tag}`);
      let n = 0;
      for await (const c of body) n += (c as Buffer).length;
      emit({ type: "log", step: "build", line: `context ${n} bytes` });
      throw new (await import("../../src/errors.js")).AgentFailure("build_failed", "docker build: boom");
    },
    pullImage: async (req) => (rec(`pull:${req.image}`), { id: "i", tags: [], sizeBytes: 0, createdAt: "", service: null, deployment: null, inUse: false }),
    loadImages: async (q) => (rec(`load:${q.service}`), { loaded: [] }),
    exportImage: async (tag) => (rec(`export:${tag}`), Readable.from([Buffer.from("tar")])),
    listImages: async (service) => (rec(`list:${service ?? ""}`), { images: [] }),
    removeImages: async (ids) => (rec(`remove:${ids.length}`), { removed: [], reclaimedBytes: 0, refused: [] }),
    collectMetrics: async (req) => (
      rec(`metrics:${Object.keys(req.accessLogCursors).join(",")}`),
      { sampledAt: 1, host: { cpu: null, memory: null, load: null, disk: null }, containers: [], sites: [] }
    ),
    retireService: async (service, drainSeconds) => (rec(`retire:${service}:${drainSeconds}`), { siteRemoved: true, stoppedContainers: [] }),
  };
}

let base = "";
const agent = buildAgent({
  config: { port: 0, tokenSha256: tokenSha256(TOKEN), dockerSocket: "/nonexistent", nginxDir: "/nonexistent", stateDir: "/nonexistent" },
  actions: fakeActions(),
});

beforeAll(async () => {
  const { port } = await agent.start();
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => agent.stop());
beforeEach(() => {
  calls.length = 0;
});

const auth = { authorization: `Bearer ${TOKEN}` };

function validRelease(): Record<string, unknown> {
  return {
    service: "web",
    deployment: DEP,
    image: "slipway/web:deploy_0f8fad5b",
    port: 8080,
    env: { DATABASE_URL: "postgres://x" },
    healthCheck: { path: "/up", timeoutSeconds: 10 },
    domains: ["web.test"],
  };
}

async function postRelease(body: unknown) {
  const res = await fetch(`${base}/v1/releases`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

describe("auth", () => {
  it("answers 401 without a token, with a wrong one, and with a malformed header", async () => {
    for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: TOKEN }, { authorization: `Bearer ${TOKEN} extra` }] as Record<string, string>[]) {
      const res = await fetch(`${base}/v1/health`, { headers });
      expect(res.status).toBe(401);
      expect(AgentError.parse(await res.json()).error.code).toBe("unauthorized");
    }
    // Before routing and validation: an unauthenticated release changes nothing either.
    const res = await fetch(`${base}/v1/releases`, { method: "POST", body: JSON.stringify(validRelease()) });
    expect(res.status).toBe(401);
    expect(calls).toEqual([]);
  });

  it("lets the right token through", async () => {
    const res = await fetch(`${base}/v1/health`, { headers: auth });
    expect(res.status).toBe(200);
    expect(calls).toEqual(["health"]);
  });
});

describe("request validation", () => {
  const cases: Array<[string, (b: Record<string, unknown>) => void, RegExp]> = [
    ["a domain that would include a file", (b) => (b.domains = ["a.test; include /etc/passwd"]), /body\.domains\.0: must be a hostname/],
    ["a domain with a newline", (b) => (b.domains = ["a.test\n}"]), /body\.domains\.0: must be a hostname/],
    ["a domain with braces", (b) => (b.domains = ["a.test{"]), /body\.domains\.0: must be a hostname/],
    ["a domain with a space", (b) => (b.domains = ["a.test b.test"]), /body\.domains\.0: must be a hostname/],
    ["an uppercase service name", (b) => (b.service = "Web"), /body\.service: must be lowercase/],
    ["a service name with a slash", (b) => (b.service = "web/../x"), /body\.service: must be lowercase/],
    ["an env key with a dash", (b) => (b.env = { "BAD-KEY": "1" }), /body\.env/],
    ["an env key with a newline", (b) => (b.env = { "A\nB": "1" }), /body\.env/],
    ["port 0", (b) => (b.port = 0), /body\.port/],
    ["port 70000", (b) => (b.port = 70000), /body\.port/],
    ["a fractional port", (b) => (b.port = 80.5), /body\.port/],
    ["a health path with a space", (b) => (b.healthCheck = { path: "/up now", timeoutSeconds: 5 }), /body\.healthCheck\.path/],
    ["a health check interval under 25 ms", (b) => (b.healthCheck = { path: "/up", timeoutSeconds: 5, intervalMs: 1 }), /body\.healthCheck\.intervalMs/],
    ["a negative drain timeout", (b) => (b.drainTimeoutSeconds = -1), /body\.drainTimeoutSeconds/],
    ["a deployment that is not a UUID", (b) => (b.deployment = "../../etc"), /body\.deployment/],
    ["an image with a space", (b) => (b.image = "busybox; rm -rf /"), /body\.image: must be an image reference/],
  ];

  for (const [what, mutate, message] of cases) {
    it(`refuses ${what} with 400 and a clear message, running nothing`, async () => {
      const body = validRelease();
      mutate(body);
      const r = await postRelease(body);
      expect(r.status).toBe(400);
      const err = AgentError.parse(JSON.parse(r.text));
      expect(err.error.code).toBe("invalid_request");
      expect(err.error.message).toMatch(message);
      expect(calls).toEqual([]);
    });
  }

  it("never echoes env values in a validation error", async () => {
    const body = validRelease();
    body.env = { GOOD: "super-secret-value", "bad key": "another-secret" };
    const r = await postRelease(body);
    expect(r.status).toBe(400);
    expect(r.text).not.toContain("super-secret-value");
    expect(r.text).not.toContain("another-secret");
  });

  it("refuses a body that is not JSON", async () => {
    const res = await fetch(`${base}/v1/releases`, { method: "POST", headers: auth, body: "{nope" });
    expect(res.status).toBe(400);
    expect(AgentError.parse(await res.json()).error.message).toBe("body: not valid JSON");
    expect(calls).toEqual([]);
  });

  it("validates path and query parameters", async () => {
    let res = await fetch(`${base}/v1/services/Not_Valid`, { headers: auth });
    expect(res.status).toBe(400);
    expect(AgentError.parse(await res.json()).error.message).toMatch(/^service: /);
    res = await fetch(`${base}/v1/images/build?tag=UPPER&service=web&deployment=${DEP}`, { method: "POST", headers: auth, body: "x" });
    expect(res.status).toBe(400);
    expect(AgentError.parse(await res.json()).error.message).toMatch(/query\.tag/);
    res = await fetch(`${base}/v1/images/export`, { headers: auth });
    expect(res.status).toBe(400);
    res = await fetch(`${base}/v1/images?service=Bad!`, { headers: auth });
    expect(res.status).toBe(400);
    res = await fetch(`${base}/v1/images/remove`, { method: "POST", headers: auth, body: JSON.stringify({ ids: "x" }) });
    expect(res.status).toBe(400);
    res = await fetch(`${base}/v1/metrics`, { method: "POST", headers: auth, body: JSON.stringify({ accessLogCursors: { web: { inode: "x", offset: -1 } } }) });
    expect(res.status).toBe(400);
    expect(AgentError.parse(await res.json()).error.message).toMatch(/^body\.accessLogCursors\.web\.inode: /);
    res = await fetch(`${base}/v1/services/web/retire`, { method: "POST", headers: auth, body: JSON.stringify({ drainSeconds: 9999 }) });
    expect(res.status).toBe(400);
    for (const giveUp of [{ service: "web", deployment: "../../etc" }, { service: "Web", deployment: DEP }, { deployment: DEP }]) {
      res = await fetch(`${base}/v1/releases/give-up`, { method: "POST", headers: auth, body: JSON.stringify(giveUp) });
      expect(res.status).toBe(400);
      expect(AgentError.parse(await res.json()).error.message).toMatch(/^body\.(deployment|service): /);
    }
    expect(calls).toEqual([]);
  });

  it("answers 404 for unknown paths and 405 for wrong methods", async () => {
    let res = await fetch(`${base}/v1/nope`, { headers: auth });
    expect(res.status).toBe(404);
    expect(AgentError.parse(await res.json()).error.code).toBe("not_found");
    res = await fetch(`${base}/v1/releases`, { headers: auth });
    expect(res.status).toBe(405);
    expect(AgentError.parse(await res.json()).error.code).toBe("method_not_allowed");
  });
});

describe("routing and streams", () => {
  it("streams NDJSON lines ending with the result", async () => {
    const r = await postRelease(validRelease());
    expect(r.status).toBe(200);
    const lines = r.text.trim().split("\n").map((l) => AgentStreamLine.parse(JSON.parse(l)));
    expect(lines.map((l) => l.type)).toEqual(["state", "result"]);
    expect(calls).toEqual(["release:web"]);
  });

  it("says something at least every heartbeat interval while an action is quiet", async () => {
    const body = { ...validRelease(), domains: ["slow.test"] };
    const r = await postRelease(body);
    const lines = r.text.trim().split("\n").map((l) => AgentStreamLine.parse(JSON.parse(l)));
    expect(lines.map((l) => l.type)).toEqual(["state", "heartbeat", "result"]);
  });

  it("tells a streaming action when its caller went away before the answer ended", async () => {
    const hangUp = new AbortController();
    const res = await fetch(`${base}/v1/releases`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ ...validRelease(), domains: ["gone.test"] }),
      signal: hangUp.signal,
    });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('"starting"');
    hangUp.abort();
    const deadline = Date.now() + 5_000;
    while (!calls.includes("release:caller gone") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual(["release:web", "release:caller gone"]);
  });

  it("streams the request body to a build and ends with an error line when it fails", async () => {
    const res = await fetch(`${base}/v1/images/build?tag=app:deploy_0f8fad5b&service=web&deployment=${DEP}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/x-tar" },
      body: Buffer.alloc(4096, 1),
    });
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = (await res.text()).trim().split("\n").map((l) => AgentStreamLine.parse(JSON.parse(l)));
    expect(lines).toEqual([
      { type: "log", step: "build", line: "context 4096 bytes" },
      { type: "error", code: "build_failed", message: "docker build: boom" },
    ]);
  });

  it("routes the other endpoints to their action", async () => {
    await (await fetch(`${base}/v1/stats`, { headers: auth })).json();
    await (await fetch(`${base}/v1/services/web`, { headers: auth })).json();
    await (await fetch(`${base}/v1/services/web/logs?tail=5`, { headers: auth })).text();
    await (await fetch(`${base}/v1/images?service=web`, { headers: auth })).json();
    const tar = await fetch(`${base}/v1/images/export?tag=app:deploy_0f8fad5b`, { headers: auth });
    expect(tar.headers.get("content-type")).toBe("application/x-tar");
    expect(await tar.text()).toBe("tar");
    await (await fetch(`${base}/v1/images/remove`, { method: "POST", headers: auth, body: JSON.stringify({ ids: ["a", "b"] }) })).json();
    const load = await fetch(`${base}/v1/images/load?service=web&deployment=${DEP}`, { method: "POST", headers: auth, body: "tar" });
    expect(load.headers.get("content-type")).toBe("application/x-ndjson");
    expect((await load.text()).trim()).toBe(JSON.stringify({ type: "result", result: { loaded: [] } }));
    expect((await fetch(`${base}/v1/images/load`, { method: "POST", headers: auth, body: "tar" })).status).toBe(400);
    const metrics = { accessLogCursors: { web: { inode: "42", offset: 7 } } };
    await (await fetch(`${base}/v1/metrics`, { method: "POST", headers: auth, body: JSON.stringify(metrics) })).json();
    await (await fetch(`${base}/v1/services/web/retire`, { method: "POST", headers: auth, body: JSON.stringify({}) })).json();
    await (await fetch(`${base}/v1/services`, { headers: auth })).json();
    const giveUp = await fetch(`${base}/v1/releases/give-up`, { method: "POST", headers: auth, body: JSON.stringify({ service: "web", deployment: DEP }) });
    expect(await giveUp.json()).toEqual({ outcome: "gave_up" });
    expect(calls).toEqual([
      "stats", "serviceStatus:web", "serviceLogs:web:5", "list:web", "export:app:deploy_0f8fad5b", "remove:2", "load:web", "metrics:web", "retire:web:2", "listServices", `giveUp:web:${DEP}`,
    ]);
  });
});
