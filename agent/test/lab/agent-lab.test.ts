// The bundled agent on real lab hosts (namespaces with dockerd, nginx, sshd), reached the way the
// control plane reaches it: an SSH tunnel to its loopback port. Needs root and the lab's Debian
// packages (lab/scripts/install-deps.sh).
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { Lab, type HostInfo } from "@slipway/lab/hosts";
import { utils } from "ssh2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildAgentBundle } from "../../scripts/build.js";
import { containerName } from "../../src/commands/docker.js";
import { sitePath } from "../../src/commands/nginx.js";
import { MetricsResponse, type AgentStreamLine, type HealthResponse, type ImageSummary, type ReleaseResult, type ServiceStatus } from "../../src/protocol/index.js";
import { AGENT_VERSION } from "../../src/version.js";
import { AgentClient, appContext, getViaNginx, installAgent, openTunnel, resultOf, startLoad, type Tunnel } from "./support.js";

const NAMES = ["ag-a", "ag-b"] as const;
const SERVICE = "web";
const DOMAIN = "web.ag.test";
const SECRET = `s3cret-${randomBytes(8).toString("hex")}`;
const TOKEN = randomBytes(24).toString("hex");
const DEPS = { v1: randomUUID(), v2: randomUUID(), bad: randomUUID(), tls: randomUUID() };
const TAG = (d: string) => `slipway/web:deploy_${d.slice(0, 8)}`;

let lab: Lab;
const hosts: Record<string, HostInfo> = {};
const tunnels: Tunnel[] = [];
const agents: Record<string, AgentClient> = {};
const docker: Record<string, Docker> = {};
const freshRssMiB: Record<string, number> = {};

/** VmRSS of the host's agent process (the shim execs node, so the lab's pid is node's). */
function agentRssMiB(name: string): number {
  const state = JSON.parse(readFileSync(join(lab.host(name).dir, "host.json"), "utf8")) as { services: Record<string, { pid: number }> };
  const status = readFileSync(`/proc/${state.services.agent!.pid}/status`, "utf8");
  expect(/^Name:\s+(\S+)/m.exec(status)?.[1]).toBe("node");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
}

function release(host: string, deployment: string, extra: Record<string, unknown> = {}) {
  return agents[host]!.stream(
    "POST",
    "/v1/releases",
    JSON.stringify({
      service: SERVICE,
      deployment,
      image: TAG(deployment),
      port: 8080,
      env: { SECRET_TOKEN: SECRET, PLAIN: "1" },
      healthCheck: { path: "/up", timeoutSeconds: 20, intervalMs: 100 },
      domains: [DOMAIN],
      drainTimeoutSeconds: 5,
      ...extra,
    }),
  );
}

/**
 * Lab workaround: setup (and boot) check-then-create the shared bridge, so another process
 * creating it at the same moment makes ours fail with "File exists"; the second try sees it.
 */
async function setupWithRetry(l: Lab): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await l.setup();
    } catch (e) {
      if (i >= 3 || !/File exists/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function states(lines: AgentStreamLine[]): string[] {
  // Heartbeats come and go with timing; the states are what the release did.
  return lines.flatMap((l) => (l.type === "state" ? [l.state] : []));
}

function expectNoSecret(lines: AgentStreamLine[]): void {
  expect(JSON.stringify(lines)).not.toContain(SECRET);
}

async function containerNames(host: string): Promise<string[]> {
  return (await docker[host]!.listContainers({ all: true })).flatMap((c) => c.Names.map((n) => n.replace(/^\//, "")));
}

describe("the agent on lab hosts", { timeout: 300_000 }, () => {
  beforeAll(async () => {
    lab = new Lab({ log: (m) => console.log(`[lab] ${m}`) });
    lab.preflight();
    // Our own leftovers from an interrupted run only; other helpers' hosts are not ours.
    for (const h of lab.list()) if ((NAMES as readonly string[]).includes(h.name)) await lab.destroy(h.name);
    const [bundle] = await Promise.all([buildAgentBundle(), setupWithRetry(lab)]);
    console.log(`[agent] bundle ${bundle.path} ${(bundle.bytes / 1024).toFixed(0)} KiB, version ${bundle.version}`);
    const key = utils.generateKeyPairSync("ed25519", { comment: "agent-lab-test" });
    await Promise.all(
      NAMES.map(async (name) => {
        await lab.boot({ name, image: { id: "debian-12-x64", archivePath: null }, sshPublicKeys: [key.public] });
        const info = lab.host(name);
        installAgent(info.fs, bundle.path, TOKEN);
        await lab.startService(name, "agent");
        hosts[name] = lab.host(name);
        docker[name] = new Docker({ socketPath: info.dockerSocket });
        const tunnel = await openTunnel(info.ipv4, key.private);
        tunnels.push(tunnel);
        agents[name] = new AgentClient(tunnel, TOKEN);
        // The shim starts node; give it a moment to listen.
        for (let i = 0; ; i++) {
          try {
            const r = await agents[name]!.json("GET", "/v1/health");
            if (r.status === 200) break;
          } catch (e) {
            if (i > 100) throw new Error(`agent on ${name} never answered: ${(e as Error).message}; log: ${agentLog(name)}`);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }),
    );
    // Idle as it is after start: settled, one health request served.
    await new Promise((r) => setTimeout(r, 2000));
    for (const name of NAMES) freshRssMiB[name] = agentRssMiB(name);
  });

  afterAll(async () => {
    await Promise.all(tunnels.map((t) => t.close()));
    if (!lab) return;
    // Debugging only: keep the hosts to look around in them.
    if (process.env.SLIPWAY_AGENT_KEEP_LAB === "1") return;
    for (const name of NAMES) await lab.destroy(name).catch((e: unknown) => console.log(`[lab] destroy ${name}: ${String(e)}`));
    // The whole lab only when nobody else's host is left on it.
    if (lab.list().length === 0) await lab.teardown();
    else console.log(`[lab] left the lab up for: ${lab.list().map((h) => h.name).join(", ")}`);
  });

  // Another process's global lab teardown kills every host; say so instead of leaving a riddle.
  let vanishedReported = false;
  afterEach(() => {
    const gone = NAMES.filter((n) => !lab.list().some((h) => h.name === n));
    if (gone.length > 0 && !vanishedReported) {
      vanishedReported = true;
      console.log(`[lab] hosts ${gone.join(", ")} vanished during the run: another process tore the lab down`);
    }
  });

  function agentLog(name: string): string {
    const p = join(lab.host(name).dir, "logs", "agent.log");
    return existsSync(p) ? readFileSync(p, "utf8").slice(-2000) : "(no log)";
  }

  it("answers health through the SSH tunnel, only with the token", async () => {
    const r = await agents["ag-a"]!.json<HealthResponse>("GET", "/v1/health");
    expect(r.status).toBe(200);
    expect(r.body.version).toBe(AGENT_VERSION);
    expect(r.body.docker.ok).toBe(true);
    expect(r.body.docker.version).toMatch(/^\d+\./);
    expect(r.body.nginx).toEqual({ ok: true, error: null });
    const anon = new AgentClient(tunnels[0]!, "wrong-token");
    expect((await anon.json("GET", "/v1/health")).status).toBe(401);
  });

  it("builds images from a streamed tar context, labelled and tagged", async () => {
    for (const [version, dep] of [["v1", DEPS.v1], ["v2", DEPS.v2], ["v3-unhealthy", DEPS.bad], ["v4-tls", DEPS.tls]] as const) {
      const lines = await agents["ag-a"]!.stream(
        "POST",
        `/v1/images/build?tag=${encodeURIComponent(TAG(dep))}&service=${SERVICE}&deployment=${dep}`,
        await appContext(version),
        "application/x-tar",
      );
      const log = lines.flatMap((l) => (l.type === "log" ? [l.line] : [])).join("\n");
      expect(log).toMatch(/Step 1\/\d+ : FROM slipway-lab\/busybox:latest/);
      expect(log).toMatch(/Successfully tagged /);
      const img = resultOf<ImageSummary>(lines);
      expect(img).toMatchObject({ tags: [TAG(dep)], service: SERVICE, deployment: dep, inUse: false });
      expect(img.sizeBytes).toBeGreaterThan(0);
    }
    const broken = await agents["ag-a"]!.stream("POST", `/v1/images/build?tag=slipway/web:broken&service=${SERVICE}&deployment=${randomUUID()}`, Buffer.alloc(1024), "application/x-tar");
    expect(broken[broken.length - 1]).toMatchObject({ type: "error", code: "build_failed" });
  });

  it("releases v1: nginx routes the domain to the new container", async () => {
    const lines = await release("ag-a", DEPS.v1);
    expectNoSecret(lines);
    const r = resultOf<ReleaseResult>(lines);
    expect(r).toMatchObject({ state: "switched", previousContainerId: null, error: null });
    expect(states(lines)).toEqual(["starting", "healthy", "switched"]);
    expect(await getViaNginx(hosts["ag-a"]!.ipv4, DOMAIN)).toEqual({ status: 200, body: "v1\n" });
    const status = await agents["ag-a"]!.json<ServiceStatus>("GET", `/v1/services/${SERVICE}`);
    expect(status.body).toMatchObject({ service: SERVICE, containerId: r.containerId, image: TAG(DEPS.v1), deployment: DEPS.v1, running: true });
    // Env reached the container at run time, and only there.
    const env = (await docker["ag-a"]!.getContainer(r.containerId!).inspect()).Config.Env;
    expect(env).toContain(`SECRET_TOKEN=${SECRET}`);
  });

  it("releases v2 under continuous load with zero failed requests, then removes v1's container", async () => {
    const load = startLoad(hosts["ag-a"]!.ipv4, DOMAIN);
    await new Promise((r) => setTimeout(r, 500));
    const lines = await release("ag-a", DEPS.v2);
    await new Promise((r) => setTimeout(r, 500));
    const report = await load.stop();
    console.log(`[agent] v1 -> v2 under load: ${report.ok} ok, ${report.failed} failed`, report.bodies, report.failures);
    expectNoSecret(lines);
    const r = resultOf<ReleaseResult>(lines);
    expect(r).toMatchObject({ state: "stopped", error: null });
    expect(states(lines)).toEqual(["starting", "healthy", "switched", "draining", "stopped"]);
    // nginx's old workers had nothing in flight for long: the old container went well before the 5 s limit.
    const at = (state: string) => Date.parse(lines.flatMap((l) => (l.type === "state" && l.state === state ? [l.at] : []))[0] ?? "");
    expect(at("stopped") - at("draining")).toBeLessThan(4_000);
    expect(report.failed).toBe(0);
    expect(report.bodies["v1"]).toBeGreaterThan(0);
    expect(report.bodies["v2"]).toBeGreaterThan(0);
    expect(await getViaNginx(hosts["ag-a"]!.ipv4, DOMAIN)).toEqual({ status: 200, body: "v2\n" });
    const names = await containerNames("ag-a");
    expect(names).toContain(containerName(SERVICE, DEPS.v2));
    // v1's container is kept paused, for a quick rollback.
    expect((await docker["ag-a"]!.getContainer(containerName(SERVICE, DEPS.v1)).inspect()).State.Paused).toBe(true);
  });

  it("throws away a release that never becomes healthy: v2 keeps serving, zero failed requests", async () => {
    const sitePathOnDisk = join(hosts["ag-a"]!.fs, sitePath("/etc/nginx", SERVICE));
    const siteBefore = readFileSync(sitePathOnDisk, "utf8");
    const load = startLoad(hosts["ag-a"]!.ipv4, DOMAIN);
    const lines = await release("ag-a", DEPS.bad, { healthCheck: { path: "/not-there", timeoutSeconds: 3, intervalMs: 200 } });
    const report = await load.stop();
    console.log(`[agent] unhealthy release under load: ${report.ok} ok, ${report.failed} failed`, report.bodies, report.failures);
    expectNoSecret(lines);
    const r = resultOf<ReleaseResult>(lines);
    expect(r.state).toBe("failed");
    expect(r.error).toMatch(/never became healthy: health check GET \/not-there did not pass within 3s \(last: HTTP 404\)/);
    expect(states(lines)).toEqual(["starting", "unhealthy", "failed"]);
    expect(report.failed).toBe(0);
    expect(Object.keys(report.bodies)).toEqual(["v2"]);
    expect(await containerNames("ag-a")).not.toContain(containerName(SERVICE, DEPS.bad));
    expect(readFileSync(sitePathOnDisk, "utf8")).toBe(siteBefore);
  });

  it("keeps the last good nginx config when nginx -t rejects the new one (a certificate nginx cannot load)", async () => {
    const sitePathOnDisk = join(hosts["ag-a"]!.fs, sitePath("/etc/nginx", SERVICE));
    const siteBefore = readFileSync(sitePathOnDisk, "utf8");
    const lines = await release("ag-a", DEPS.tls, {
      tls: { certificatePem: "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n", privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----\n` },
    });
    expectNoSecret(lines);
    const r = resultOf<ReleaseResult>(lines);
    expect(r.state).toBe("failed");
    expect(r.error).toMatch(/nginx -t rejected the new configuration/);
    // Refused while the container started: the release did not wait for its health.
    expect(states(lines)).toEqual(["starting", "failed"]);
    expect(readFileSync(sitePathOnDisk, "utf8")).toBe(siteBefore);
    expect(await containerNames("ag-a")).not.toContain(containerName(SERVICE, DEPS.tls));
    expect(await getViaNginx(hosts["ag-a"]!.ipv4, DOMAIN)).toEqual({ status: 200, body: "v2\n" });
  });

  it("rolls back to v1 by resuming its paused container, under load with zero failed requests", async () => {
    const load = startLoad(hosts["ag-a"]!.ipv4, DOMAIN);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const lines = await release("ag-a", DEPS.v1);
    const elapsed = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 300));
    const report = await load.stop();
    console.log(`[agent] rollback v2 -> v1 from standby: ${elapsed} ms; under load ${report.ok} ok, ${report.failed} failed`, report.bodies);
    expectNoSecret(lines);
    expect(states(lines)).toEqual(["starting", "healthy", "switched", "draining", "stopped"]);
    expect(lines.find((l) => l.type === "state")).toMatchObject({ message: expect.stringMatching(/^resuming slipway-web-/) });
    expect(resultOf<ReleaseResult>(lines)).toMatchObject({ state: "stopped", error: null });
    expect(report.failed).toBe(0);
    expect(await getViaNginx(hosts["ag-a"]!.ipv4, DOMAIN)).toEqual({ status: 200, body: "v1\n" });
    // Now v2 is the paused standby, and v1 runs.
    const info = (name: string) => docker["ag-a"]!.getContainer(name).inspect();
    expect((await info(containerName(SERVICE, DEPS.v2))).State.Paused).toBe(true);
    expect((await info(containerName(SERVICE, DEPS.v1))).State).toMatchObject({ Running: true, Paused: false });
  });

  it("exports v1 from one host and loads it into another without a rebuild", async () => {
    const exported = await agents["ag-a"]!.raw("GET", `/v1/images/export?tag=${encodeURIComponent(TAG(DEPS.v1))}`);
    expect(exported.statusCode).toBe(200);
    expect(exported.headers["content-type"]).toBe("application/x-tar");
    const load = `/v1/images/load?service=${SERVICE}&deployment=${DEPS.v1}`;
    const empty = await agents["ag-b"]!.stream("POST", load, Buffer.alloc(0), "application/x-tar");
    expect(empty.at(-1)).toMatchObject({ type: "error", code: "load_failed" }); // an empty body is not a docker save archive
    const lines = await agents["ag-b"]!.stream("POST", load, exported.body, "application/x-tar");
    expect(resultOf(lines)).toEqual({ loaded: [TAG(DEPS.v1)] });
    const list = await agents["ag-b"]!.json<{ images: ImageSummary[] }>("GET", `/v1/images?service=${SERVICE}`);
    expect(list.body.images.map((i) => i.tags)).toEqual([[TAG(DEPS.v1)]]);
    // And it runs there.
    const r = resultOf<ReleaseResult>(await release("ag-b", DEPS.v1));
    expect(r.state).toBe("switched");
    expect(await getViaNginx(hosts["ag-b"]!.ipv4, DOMAIN)).toEqual({ status: 200, body: "v1\n" });
  });

  it("lists labelled images with inUse and removes only unused labelled ones", async () => {
    const list = (await agents["ag-a"]!.json<{ images: ImageSummary[] }>("GET", `/v1/images?service=${SERVICE}`)).body.images;
    const byTag = new Map(list.map((i) => [i.tags[0], i]));
    // v1 runs, v2 is the paused standby: both in use; the unhealthy release's image is not.
    expect(byTag.get(TAG(DEPS.v1))?.inUse).toBe(true);
    expect(byTag.get(TAG(DEPS.v2))?.inUse).toBe(true);
    expect(byTag.get(TAG(DEPS.bad))?.inUse).toBe(false);
    const all = (await agents["ag-a"]!.json<{ images: ImageSummary[] }>("GET", "/v1/images")).body.images;
    expect(all.every((i) => i.service === SERVICE)).toBe(true);
    const busybox = await docker["ag-a"]!.getImage("slipway-lab/busybox:latest").inspect();

    const bad = byTag.get(TAG(DEPS.bad))!;
    const v2 = byTag.get(TAG(DEPS.v2))!;
    const r = await agents["ag-a"]!.json<{ removed: string[]; reclaimedBytes: number; refused: { id: string; reason: string }[] }>("POST", "/v1/images/remove", {
      ids: [bad.id, v2.id, busybox.Id, "sha256:0000000000000000000000000000000000000000000000000000000000000000"],
    });
    expect(r.status).toBe(200);
    expect(r.body.removed).toEqual([bad.id]);
    expect(r.body.reclaimedBytes).toBe(bad.sizeBytes);
    expect(r.body.refused).toEqual([
      { id: v2.id, reason: `in use by container ${containerName(SERVICE, DEPS.v2)}` },
      { id: busybox.Id, reason: "not labelled by Slipway" },
      { id: "sha256:0000000000000000000000000000000000000000000000000000000000000000", reason: "no such image" },
    ]);
    const after = (await agents["ag-a"]!.json<{ images: ImageSummary[] }>("GET", `/v1/images?service=${SERVICE}`)).body.images;
    expect(after.map((i) => i.id)).not.toContain(bad.id);
    await docker["ag-a"]!.getImage("slipway-lab/busybox:latest").inspect(); // untouched
  });

  it("tags an image already on the server for a deployment without pulling or building, and cleans up only its own tag", async () => {
    const dep = randomUUID();
    const tag = `slipway/tagged:deploy_${dep.slice(0, 8)}`;
    const lines = await agents["ag-b"]!.stream("POST", "/v1/images/pull", JSON.stringify({ image: "slipway-lab/busybox:latest", tag, service: "tagged", deployment: dep }));
    expect(lines.filter((l) => l.type === "log").map((l) => l.type === "log" && l.line)).toEqual([expect.stringMatching(/^slipway-lab\/busybox:latest is on this server already \([0-9a-f]{12}\): not pulling$/)]);
    const image = resultOf<ImageSummary>(lines);
    expect(image).toMatchObject({ service: "tagged", deployment: dep, inUse: false });
    expect([...image.tags].sort()).toEqual(["slipway-lab/busybox:latest", tag]);
    const listed = (await agents["ag-b"]!.json<{ images: ImageSummary[] }>("GET", "/v1/images?service=tagged")).body.images;
    expect(listed.map((i) => i.id)).toEqual([image.id]);

    const r = await agents["ag-b"]!.json<{ removed: string[]; reclaimedBytes: number }>("POST", "/v1/images/remove", { ids: [image.id] });
    expect(r.body).toMatchObject({ removed: [image.id], reclaimedBytes: 0 });
    const busybox = await docker["ag-b"]!.getImage("slipway-lab/busybox:latest").inspect();
    expect(busybox.RepoTags).toEqual(["slipway-lab/busybox:latest"]);
    expect((await agents["ag-b"]!.json<{ images: ImageSummary[] }>("GET", "/v1/images?service=tagged")).body.images).toEqual([]);
  });

  it("says which services it routes and what each runs", async () => {
    const r = await agents["ag-a"]!.json<{ services: ServiceStatus[] }>("GET", "/v1/services");
    expect(r.body.services).toMatchObject([{ service: SERVICE, image: TAG(DEPS.v1), deployment: DEPS.v1, running: true }]);
  });

  it("reports stats and the service's logs", async () => {
    const s = await agents["ag-a"]!.json<{ cpuPercent: number; memoryTotalBytes: number; containers: { service: string; memoryBytes: number }[] }>("GET", "/v1/stats");
    expect(s.status).toBe(200);
    expect(s.body.memoryTotalBytes).toBeGreaterThan(0);
    // The running release and the paused standby.
    expect(new Set(s.body.containers.map((c) => c.service))).toEqual(new Set([SERVICE]));
    const logs = await agents["ag-a"]!.stream("GET", `/v1/services/${SERVICE}/logs?tail=10`);
    expect(logs[logs.length - 1]?.type).toBe("result");
  });

  it("reports cumulative counters and what nginx logged since the cursor (metrics), then retires the service", async () => {
    const first = await agents["ag-a"]!.json<MetricsResponse>("POST", "/v1/metrics", {});
    expect(first.status).toBe(200);
    MetricsResponse.parse(first.body);
    expect(first.body.host.cpu!.totalTicks).toBeGreaterThan(first.body.host.cpu!.idleTicks);
    expect(first.body.containers.map((c) => c.service)).toEqual([SERVICE]);
    const site = first.body.sites.find((s) => s.service === SERVICE)!;
    expect(site).toMatchObject({ continued: false, requests: 0 });

    for (let i = 0; i < 8; i++) expect((await getViaNginx(hosts["ag-a"]!.ipv4, DOMAIN)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    const second = await agents["ag-a"]!.json<MetricsResponse>("POST", "/v1/metrics", { accessLogCursors: { [SERVICE]: site.cursor } });
    const traffic = second.body.sites.find((s) => s.service === SERVICE)!;
    expect(traffic).toMatchObject({ continued: true, requests: 8, errors: 0, unparsedLines: 0, skippedBytes: 0 });
    expect(traffic.latencyHistogram.reduce((a, b) => a + b, 0)).toBe(8);
    expect(second.body.host.cpu!.totalTicks).toBeGreaterThan(first.body.host.cpu!.totalTicks);
    expect(second.body.containers[0]!.cpuUsageNs).toBeGreaterThanOrEqual(first.body.containers[0]!.cpuUsageNs);

    const retired = await agents["ag-a"]!.json<{ siteRemoved: boolean; stoppedContainers: string[] }>("POST", `/v1/services/${SERVICE}/retire`, { drainSeconds: 0 });
    expect(retired.status).toBe(200);
    expect(retired.body.siteRemoved).toBe(true);
    expect(retired.body.stoppedContainers.length).toBeGreaterThan(0);
    expect((await getViaNginx(hosts["ag-a"]!.ipv4, DOMAIN)).status).not.toBe(200);
    expect((await containerNames("ag-a")).filter((n) => n.startsWith(`slipway-${SERVICE}-`))).toEqual([]);
  });

  it("idles in little memory", async () => {
    await new Promise((r) => setTimeout(r, 2000));
    for (const name of NAMES) {
      const after = agentRssMiB(name);
      console.log(`[agent] ${name} idle RSS: ${freshRssMiB[name]!.toFixed(1)} MiB after start, ${after.toFixed(1)} MiB after the tests (target <= 60 MiB)`);
      expect(after).toBeGreaterThan(0);
    }
  });
});
