// Release orchestration with a fake Docker Engine (recording its calls), a recording executor
// and a real HTTP server standing in for the new container's app.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../src/actions/deps.js";
import { release } from "../../src/actions/release.js";
import { siteContents, sitePath } from "../../src/commands/nginx.js";
import { RecordingExecutor } from "../../src/exec/index.js";
import { Locks } from "../../src/locks.js";
import type { AgentStreamLine, ReleaseRequest } from "../../src/protocol/index.js";

const DEP = "0f8fad5b-d9cb-469f-a165-70867728950e";
const SECRET = "very-secret-value";
let appStatus = 200;
let appPort = 0;
const app = http.createServer((req, res) => {
  res.statusCode = req.url === "/up" ? appStatus : 404;
  res.end("x");
});

beforeAll(async () => {
  await new Promise<void>((r) => app.listen(0, "127.0.0.1", () => r()));
  appPort = (app.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => app.close(() => r())));

/** Just enough of dockerode for a release, recording every call. */
function fakeDocker(opts: { previous?: { id: string; port: number }; createError?: string; crashed?: { restarts: number; published: boolean } } = {}) {
  // A crashed container: Docker restarts it (unless-stopped), so it is Restarting, or Running again.
  const state = opts.crashed
    ? { State: { Running: opts.crashed.restarts > 1, Restarting: opts.crashed.restarts <= 1, ExitCode: opts.crashed.restarts > 1 ? 0 : 3 }, RestartCount: opts.crashed.restarts }
    : { State: { Running: true, Restarting: false, ExitCode: 0 }, RestartCount: 0 };
  const ports = opts.crashed?.published === false ? {} : { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: String(appPort) }] };
  const calls: string[] = [];
  const containers = new Map<string, { id: string; name: string; port: number; running: boolean }>();
  if (opts.previous) containers.set(opts.previous.id, { id: opts.previous.id, name: "slipway-web-aaaaaaaa", port: opts.previous.port, running: true });
  const docker = {
    getImage: (ref: string) => ({
      inspect: async () => {
        calls.push(`image.inspect ${ref}`);
        return { Id: "sha256:img" };
      },
    }),
    createContainer: async (o: { name: string; Env: string[] }) => {
      calls.push(`create ${o.name} env=${o.Env.length}`);
      if (opts.createError) throw Object.assign(new Error("x"), { statusCode: 500, json: { message: opts.createError } });
      containers.set("new", { id: "new", name: o.name, port: appPort, running: false });
      return {
        id: "new",
        start: async () => {
          calls.push("start new");
          containers.get("new")!.running = true;
        },
        inspect: async () => ({ NetworkSettings: { Ports: ports }, ...state }),
      };
    },
    getContainer: (id: string) => ({
      inspect: async () => state,
      remove: async () => {
        calls.push(`remove ${id}`);
        const hit = [...containers.values()].find((c) => c.id === id || c.name === id);
        if (!hit) throw Object.assign(new Error("no such container"), { statusCode: 404 });
        containers.delete(hit.id);
      },
      stop: async () => {
        calls.push(`stop ${id}`);
      },
      logs: async () => Buffer.from(`app says ${SECRET}\n`),
    }),
    listContainers: async () =>
      [...containers.values()].map((c) => ({
        Id: c.id,
        Names: [`/${c.name}`],
        State: c.running ? "running" : "created",
        Ports: [{ IP: "127.0.0.1", PrivatePort: 8080, PublicPort: c.port, Type: "tcp" }],
        Labels: {},
      })),
  };
  return { docker: docker as unknown as Docker, calls, containers };
}

function request(extra: Partial<ReleaseRequest> = {}): ReleaseRequest {
  return {
    service: "web",
    deployment: DEP,
    image: "slipway/web:deploy_0f8fad5b",
    port: 8080,
    env: { SECRET_TOKEN: SECRET },
    healthCheck: { path: "/up", timeoutSeconds: 2 },
    domains: ["web.test"],
    drainSeconds: 0,
    ...extra,
  };
}

function deps(docker: Docker, exec: RecordingExecutor): AgentDeps {
  return { docker, exec, nginxDir: "/etc/nginx", locks: new Locks(), startedAt: Date.now() };
}

const OLD_SITE = siteContents({ service: "web", deployment: DEP, domains: ["web.test"], hostPort: 30001, tls: null });

describe("release", () => {
  it("starts, waits for health, switches nginx, then drains and removes the previous container", async () => {
    appStatus = 200;
    const { docker, calls } = fakeDocker({ previous: { id: "old", port: 30001 } });
    const exec = new RecordingExecutor({ files: { [sitePath("/etc/nginx", "web")]: OLD_SITE } });
    const lines: AgentStreamLine[] = [];
    const r = await release(deps(docker, exec), request(), (l) => lines.push(l));
    expect(r).toEqual({ outcome: "switched", state: "stopped", containerId: "new", previousContainerId: "old", error: null });
    expect(lines.map((l) => l.type === "progress" && l.step)).toEqual(["starting", "healthy", "switched", "draining", "stopped"]);
    expect(calls).toEqual([
      "image.inspect slipway/web:deploy_0f8fad5b",
      "remove slipway-web-0f8fad5b",
      "create slipway-web-0f8fad5b env=1",
      "start new",
      "stop old",
      "remove old",
    ]);
    expect(exec.commands().map((a) => a.slice(0, 3).join(" "))).toEqual(["nginx -t -q", "nginx -s reload"]);
    expect(await exec.readFile(sitePath("/etc/nginx", "web"))).toContain(`proxy_pass http://127.0.0.1:${appPort};`);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it("removes a container that never becomes healthy and touches neither nginx nor the old container", async () => {
    appStatus = 500;
    const { docker, calls } = fakeDocker({ previous: { id: "old", port: 30001 } });
    const exec = new RecordingExecutor({ files: { [sitePath("/etc/nginx", "web")]: OLD_SITE } });
    const lines: AgentStreamLine[] = [];
    const r = await release(deps(docker, exec), request({ healthCheck: { path: "/up", timeoutSeconds: 1 } }), (l) => lines.push(l));
    expect(r.outcome).toBe("failed");
    expect(r.previousContainerId).toBe("old");
    expect(r.error).toMatch(/^slipway-web-0f8fad5b never became healthy: health check GET \/up did not pass within 1s \(last: HTTP 500\); last log lines:\napp says \[redacted\]$/);
    expect(lines.map((l) => l.type === "progress" && l.step)).toEqual(["starting", "unhealthy", "failed"]);
    expect(calls.filter((c) => /^(stop|remove)/.test(c))).toEqual(["remove slipway-web-0f8fad5b", "remove new"]);
    expect(exec.calls).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it("fails at once, with the container's last log lines, when it exits before Docker publishes its port", async () => {
    const { docker, calls } = fakeDocker({ previous: { id: "old", port: 30001 }, crashed: { restarts: 1, published: false } });
    const exec = new RecordingExecutor({ files: { [sitePath("/etc/nginx", "web")]: OLD_SITE } });
    const lines: AgentStreamLine[] = [];
    const r = await release(deps(docker, exec), request({ healthCheck: { path: "/up", timeoutSeconds: 30 } }), (l) => lines.push(l));
    expect(r).toMatchObject({ outcome: "failed", state: "failed", previousContainerId: "old" });
    expect(r.error).toBe("slipway-web-0f8fad5b never became healthy: container exited with code 3 before it became healthy; last log lines:\napp says [redacted]");
    expect(lines.map((l) => l.type === "progress" && l.step)).toEqual(["starting", "unhealthy", "failed"]);
    expect(calls.filter((c) => /^(stop|remove)/.test(c))).toEqual(["remove slipway-web-0f8fad5b", "remove new"]);
    expect(exec.calls).toEqual([]);
  });

  it("does not wait out the health check timeout for a container Docker keeps restarting", async () => {
    appStatus = 500;
    const { docker } = fakeDocker({ previous: { id: "old", port: 30001 }, crashed: { restarts: 2, published: true } });
    const t0 = Date.now();
    const r = await release(deps(docker, new RecordingExecutor({ files: { [sitePath("/etc/nginx", "web")]: OLD_SITE } })), request({ healthCheck: { path: "/up", timeoutSeconds: 30 } }), () => {});
    expect(r.error).toMatch(/^slipway-web-0f8fad5b never became healthy: container exited and was restarted 2 time\(s\) before it became healthy; /);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("removes the new container and keeps the old site when nginx -t fails", async () => {
    appStatus = 200;
    const { docker, calls } = fakeDocker({ previous: { id: "old", port: 30001 } });
    const exec = new RecordingExecutor({
      files: { [sitePath("/etc/nginx", "web")]: OLD_SITE },
      respond: (argv) => (argv[1] === "-t" ? { exitCode: 1, stdout: "", stderr: "nginx: [emerg] bad" } : undefined),
    });
    const r = await release(deps(docker, exec), request(), () => {});
    expect(r).toMatchObject({ outcome: "failed", state: "failed", containerId: null, previousContainerId: "old" });
    expect(r.error).toBe("nginx -t rejected the new configuration: nginx: [emerg] bad");
    expect(await exec.readFile(sitePath("/etc/nginx", "web"))).toBe(OLD_SITE);
    expect(calls).toContain("remove new");
    expect(calls).not.toContain("stop old");
  });

  it("never lets an env value out through a Docker error", async () => {
    const { docker } = fakeDocker({ createError: `invalid env SECRET_TOKEN=${SECRET}` });
    const lines: AgentStreamLine[] = [];
    const r = await release(deps(docker, new RecordingExecutor()), request(), (l) => lines.push(l));
    expect(r.outcome).toBe("failed");
    expect(r.error).toBe("docker: invalid env SECRET_TOKEN=[redacted]");
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });
});
