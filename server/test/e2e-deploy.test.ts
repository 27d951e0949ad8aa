// Deploying end to end (issue "Agent and deploy engine"): three real lab hosts adopted through the
// GraphQL API, every source kind built or pulled once and served by nginx on every host, rollback
// with the earlier env, a failing health check under load, a host cut off mid-deploy, retention,
// and bad input that changes nothing. Needs root, the lab's packages and `docker-registry`. The
// hosts live in a lab instance of this suite's own, torn down before and after.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";
import { tarGz } from "./fixtures/sources/archives.js";
import {
  adoptHosts,
  bootHosts,
  containersOn,
  createProjectAndService,
  deployArchive,
  deploySource,
  deploymentState,
  follow,
  imageTagsOn,
  labBaseImagesEnv,
  LAB_NETWORK_ENV,
  labRegistry,
  newLab,
  nodeApp,
  pushTestImage,
  rawId,
  rollback,
  setDomains,
  setEnv,
  siteFilesOn,
  startLoad,
  waitServing,
  get,
  gid,
  type AdoptedHost,
  type Event,
  type Registry,
  type Started,
  stopServerAndLab,
} from "./e2e-support.js";

const suffix = randomBytes(3).toString("hex");
const LAB_NAMES = ["a", "b", "c"].map((n) => `e2e-${n}-${suffix}`);
const lab = newLab("srv-e2e-deploy");
const booted: string[] = [];
let server: TestServer;
let dataDir: string;
let registry: Registry;
let hosts: AdoptedHost[];
let addresses: string[];
let ids: Record<string, string>;

const WEB_HOST = "web.shop.slipway.internal";
const SITE_DOMAIN = "site.e2e.test";

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "slipway-e2e-"));
  // Leftovers of a crashed earlier run of this suite (only this suite uses its instance).
  await lab.teardown();
  server = await startTestServer({ ...labBaseImagesEnv(lab), ...LAB_NETWORK_ENV }, dataDir);
  const bootedAddresses = await bootHosts(lab, LAB_NAMES, server.app.deps.connections.identity().publicKey, booted);
  registry = await labRegistry(lab);
  hosts = await adoptHosts(server, LAB_NAMES.map((labName, i) => ({ lab: labName, name: `web-${i + 1}`, address: bootedAddresses[i]! })));
  addresses = hosts.map((h) => h.address);
  const created = await createProjectAndService(server, "shop", [
    { name: "web", port: 3000, healthCheckPath: "/health" },
    { name: "site", port: 8080 },
    { name: "custom", port: 9000 },
    { name: "img", port: 7000 },
  ]);
  ids = created.services;
}, 240_000);

/** What an operation's events said (DEBUG left out), to show when an assertion about it fails. */
function story(events: Awaited<ReturnType<typeof finished>>): string {
  return events
    .filter((e) => e.level !== "DEBUG")
    .map((e) => `${e.step} ${e.level} ${e.releaseState ?? ""} ${hosts.find((h) => h.id === e.serverId)?.name ?? "-"} ${e.message}`)
    .join("\n");
}

afterAll(async () => {
  try {
    await stopServerAndLab(server, lab);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 150_000);

const serverIds = () => hosts.map((h) => h.id);

async function finished(started: Started, onEvent?: (event: Event) => void): Promise<Event[]> {
  expect(started.__typename, JSON.stringify(started)).toBe("MutationDeploySuccess");
  return follow(server, started.data!.operation.id, onEvent);
}

/** Polls until `find` answers something. */
async function waitFor<T>(find: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function setRaw(service: string, data: { keepImages?: number; healthCheckTimeoutSeconds?: number }) {
  await server.app.deps.db.service.update({ where: { id: rawId(ids[service]!) }, data });
}

/** What every host runs: its containers and nginx site files. */
async function hostState() {
  return Promise.all(LAB_NAMES.map(async (name) => ({ containers: await containersOn(lab, name), sites: siteFilesOn(lab, name) })));
}

describe("every source kind, served by nginx on every host", { timeout: 120_000 }, () => {
  it("an archive without a Dockerfile (Node): built once, copied, answers with its version and env", async () => {
    await setEnv(server, ids.web!, [{ key: "GREETING", value: "hello" }, { key: "API_KEY", value: "sk_e2e_secret_one", secret: true }]);
    const events = await finished(await deployArchive(server, ids.web!, tarGz(nodeApp("v1")), "web-v1.tar.gz", serverIds()));
    expect(events.at(-1), JSON.stringify(events.slice(-5))).toMatchObject({ step: "finished", message: "Succeeded" });
    expect(events.filter((e) => e.step === "build" && e.level === "INFO" && /generated Dockerfile for node/.test(e.message))).toHaveLength(1);
    expect(events.filter((e) => e.step === "image" && e.message.startsWith("Copying"))).toHaveLength(2);
    expect(events.filter((e) => e.releaseState === "SWITCHED").map((e) => e.serverId).sort()).toEqual(serverIds().sort());
    expect(JSON.stringify(events)).not.toContain("sk_e2e_secret_one");
    const bodies = await waitServing(addresses, WEB_HOST, /^version=v1 greeting=hello secret=set$/m);
    expect(bodies).toEqual(Array(3).fill("version=v1 greeting=hello secret=set\n"));
  });

  it("a static site (index.html), by a domain set through the API", async () => {
    await setDomains(server, ids.site!, [SITE_DOMAIN]);
    const events = await finished(await deployArchive(server, ids.site!, tarGz([{ path: "index.html", body: "<h1>static e2e</h1>\n" }]), "site.tar.gz", serverIds()));
    expect(events.at(-1)).toMatchObject({ message: "Succeeded" });
    expect(events.find((e) => e.step === "build" && e.level === "INFO")?.message).toMatch(/generated Dockerfile for static/);
    expect(await waitServing(addresses, SITE_DOMAIN, /<h1>static e2e<\/h1>/)).toHaveLength(3);
    // The default host name routes to it too; another service's name does not reach it.
    expect(await waitServing(addresses, "site.shop.slipway.internal", /static e2e/)).toHaveLength(3);
    expect((await get(addresses[0]!, WEB_HOST)).body).toMatch(/^version=v1/);
  });

  it("an archive with its own Dockerfile", async () => {
    const archive = tarGz([
      { path: "Dockerfile", body: 'FROM slipway-lab/busybox:latest\nCOPY www /www\nCMD ["httpd", "-f", "-p", "9000", "-h", "/www"]\n' },
      { path: "www/index.html", body: "own dockerfile e2e\n" },
    ]);
    const events = await finished(await deployArchive(server, ids.custom!, archive, "custom.tar.gz", serverIds()));
    expect(events.at(-1)).toMatchObject({ message: "Succeeded" });
    expect(events.find((e) => e.step === "build" && e.level === "INFO")?.message).not.toMatch(/generated Dockerfile/);
    expect(await waitServing(addresses, "custom.shop.slipway.internal", /^own dockerfile e2e$/m)).toHaveLength(3);
  });

  it("an image reference, pulled once from a registry on the lab bridge", async () => {
    const reference = `${registry.address}/e2e/hello:1`;
    await pushTestImage(lab, LAB_NAMES[0]!, reference, {
      Dockerfile: 'FROM slipway-lab/busybox:latest\nRUN mkdir /www && echo "from the registry" > /www/index.html\nCMD ["httpd", "-f", "-p", "7000", "-h", "/www"]\n',
    });
    const events = await finished(await deploySource(server, ids.img!, { type: "IMAGE", image: reference }, serverIds()));
    expect(events.at(-1), JSON.stringify(events.filter((e) => e.level !== "DEBUG").slice(-6))).toMatchObject({ message: "Succeeded" });
    expect(events.filter((e) => e.step === "image" && e.message === `Pulling ${reference} (unless the server has it)`)).toHaveLength(1);
    expect(events.filter((e) => e.step === "image" && e.message.startsWith("Copying"))).toHaveLength(2);
    expect(await waitServing(addresses, "img.shop.slipway.internal", /^from the registry$/m)).toHaveLength(3);
  });
});

describe("releases, rollbacks and failures on web", { timeout: 150_000 }, () => {
  let v1: string;

  it("rolls back to the earlier version with its earlier env, under load with no failed request", async () => {
    v1 = (await server.app.deps.db.deployment.findFirstOrThrow({ where: { serviceId: rawId(ids.web!), status: "SUCCEEDED" } })).id;
    await setEnv(server, ids.web!, [{ key: "GREETING", value: "bonjour" }, { key: "API_KEY", value: "sk_e2e_secret_two", secret: true }]);
    let t0 = Date.now();
    const second = await deployArchive(server, ids.web!, tarGz(nodeApp("v2")), "web-v2.tar.gz");
    expect((await finished(second)).at(-1)).toMatchObject({ message: "Succeeded" });
    await waitServing(addresses, WEB_HOST, /^version=v2 greeting=bonjour secret=set$/m);
    console.log(`deploy v2 (build, 2 copies, 3 releases): ${Date.now() - t0} ms`);

    const load = startLoad(addresses, WEB_HOST);
    t0 = Date.now();
    const rolled = await rollback(server, Buffer.from(`Deployment:${v1}`).toString("base64"));
    expect(rolled.__typename).toBe("MutationRollbackSuccess");
    const events = await follow(server, rolled.data!.operation.id);
    await waitServing(addresses, WEB_HOST, /^version=v1 greeting=hello secret=set$/m, 5_000);
    console.log(`rollback to v1: ${Date.now() - t0} ms`);
    const report = await load.stop();
    expect(events.at(-1)).toMatchObject({ message: "Succeeded" });
    expect(events.some((e) => e.step === "build")).toBe(false);
    expect(report.failed, JSON.stringify(report)).toBe(0);
    expect(report.requests).toBeGreaterThan(30);
    expect(Object.keys(report.bodies).sort()).toEqual(["version=v1 greeting=hello secret=set", "version=v2 greeting=bonjour secret=set"]);
    console.log(`rollback under load: ${report.requests} requests, ${report.failed} failed`);
  });

  it("a deploy whose health check fails leaves the earlier version serving, with zero failed requests", async () => {
    await setRaw("web", { healthCheckTimeoutSeconds: 4 });
    const before = await hostState();
    const load = startLoad(addresses, WEB_HOST, (body) => body === "version=v1 greeting=hello secret=set\n");
    const started = await deployArchive(server, ids.web!, tarGz(nodeApp("v-broken", { healthy: false })), "web-broken.tar.gz");
    const events = await finished(started);
    const report = await load.stop();
    await setRaw("web", { healthCheckTimeoutSeconds: 30 });

    expect(events.at(-1)).toMatchObject({ step: "finished", level: "ERROR" });
    const state = await deploymentState(server, started.data!.deployment.id);
    expect(state.status).toBe("FAILED");
    expect(state.targets.map((t) => t.state)).toEqual(["FAILED", "FAILED", "FAILED"]);
    expect(events.filter((e) => e.releaseState === "UNHEALTHY").map((e) => e.serverId).sort(), story(events)).toEqual(serverIds().sort());
    // The events said how long the health check would wait.
    expect(events.find((e) => e.releaseState === "STARTING")!.message).toMatch(/waiting up to 4s for GET \/health to answer \(every 200 ms\)$/);
    expect(report.failed, JSON.stringify(report)).toBe(0);
    expect(report.requests).toBeGreaterThan(30);
    console.log(`failed health check under load: ${report.requests} requests, ${report.failed} failed`);
    // The broken container is gone, the old one and nginx are as they were.
    expect(await hostState()).toEqual(before);
  });

  it("a host cut off mid-deploy: noticed within 10 s, the others go back, and once it answers again it is brought in line", async () => {
    const [a, b, c] = hosts as [AdoptedHost, AdoptedHost, AdoptedHost];
    const { db } = server.app.deps;
    const v1Tag = (await db.deployment.findUniqueOrThrow({ where: { id: v1 } })).imageTag;
    // What runs now: the rollback's deployment (v1's image and env) on every host.
    const runningBefore = (await db.serviceServer.findMany({ where: { serviceId: rawId(ids.web!) }, orderBy: { serverId: "asc" } })).map((r) => r.currentDeploymentId);
    expect(new Set(runningBefore).size).toBe(1);
    // v3 listens 3 s after it starts: every host is mid-release (waiting for health) for a while.
    const started = await deployArchive(server, ids.web!, tarGz(nodeApp("v3", { listenAfterMs: 3_000 })), "web-v3.tar.gz");
    let cut: AdoptedHost | null = null;
    let cutDone: Promise<void> | null = null;
    let cutAt = 0;
    let noticedAt = 0;
    let restored = false;
    const restore = async () => {
      if (cut && !restored) {
        restored = true;
        await cutDone;
        await lab.restore((cut as AdoptedHost).lab);
      }
    };
    const events = await finished(started, (event) => {
      // Once the first server started its container, cut off another: it is inside its own
      // release, waiting for health, so its answer cannot have left yet.
      if (!cut && event.releaseState === "STARTING") {
        cut = [c, b, a].find((h) => h.id !== event.serverId)!;
        cutDone = lab.cutOff(cut.lab).then(() => void (cutAt = Date.now()));
      }
      if (cut && !noticedAt && event.releaseState === "UNKNOWN" && event.serverId === cut.id) noticedAt = Date.now();
    }).catch(async (error: unknown) => {
      await restore();
      throw error;
    });
    // Whatever happens below, the host goes back on the network for the tests after this one.
    try {
      await cutDone;
      const cutHost = cut as unknown as AdoptedHost;
      expect(cut).not.toBeNull();
      const detectionMs = noticedAt - cutAt;
      console.log(`cut-off: the loss of ${cutHost.name} was reported ${detectionMs} ms after the cut`);
      console.log(story(events));
      expect(noticedAt).toBeGreaterThan(0);
      expect(detectionMs).toBeLessThan(10_000);

      expect(events.at(-1)!.level).toBe("ERROR");
      const state = await deploymentState(server, started.data!.deployment.id);
      expect(state.status).toBe("FAILED");
      expect(state.error).toMatch(new RegExp(`${cutHost.name} \\((health check|switch|drain)\\): lost contact during the `));
      const byName = Object.fromEntries(state.targets.map((t) => [t.server.name, t]));
      expect(byName[cutHost.name]!.state).toBe("UNKNOWN");
      for (const other of hosts.filter((h) => h !== cutHost)) expect(byName[other.name]!.state, JSON.stringify(state)).toBe("REVERTED");
      // The event that reported the loss named the server and the step.
      // ... and why contact was lost: the SSH keepalives went unanswered, or the agent's stream fell silent.
      expect(events.find((e) => e.releaseState === "UNKNOWN")!.message).toMatch(
        new RegExp(`^${cutHost.name}: lost contact during the (health check|switch|drain) \\((the connection to the agent broke \\(the server answered none of 6 SSH keepalives 1 s apart\\)|no word from the agent for 7s)\\)`),
      );
      const lost = await db.server.findUniqueOrThrow({ where: { name: cutHost.name } });
      expect(lost.status).toBe("UNREACHABLE");
      expect(lost.unreachableSince).toBeInstanceOf(Date);
      expect((await db.serviceServer.findFirstOrThrow({ where: { serviceId: rawId(ids.web!), serverId: lost.id } })).currentDeploymentId).toBeNull();

      // Back on the network: within a few checks it answers, and a reconcile operation brings it in line.
      await restore();
      const reconcile = await waitFor(async () => db.operation.findFirst({ where: { kind: "RECONCILE", title: { startsWith: `Bring ${cutHost.name} back` } } }), 30_000);
      const steps = await follow(server, gid("Operation", reconcile.id));
      expect(steps.at(-1), JSON.stringify(steps.slice(-4))).toMatchObject({ step: "finished", message: "Succeeded" });
      expect(steps.filter((e) => e.step === "reconcile").at(-1)!.message).toBe(`${cutHost.name} runs ${v1Tag} again, like the rest of the fleet`);
      const after = await deploymentState(server, started.data!.deployment.id);
      // Its agent had finished the switch alone: the target went live, then was put back.
      expect(after.targets.find((t) => t.server.name === cutHost.name)!.state).toBe("REVERTED");
      expect(await db.server.findUniqueOrThrow({ where: { name: cutHost.name } })).toMatchObject({ status: "ACTIVE", unreachableSince: null });
      // Every host runs one version, the earlier one, and the record (from the agents) says so.
      const rows = await db.serviceServer.findMany({ where: { serviceId: rawId(ids.web!) }, orderBy: { serverId: "asc" } });
      expect(rows.map((r) => r.currentDeploymentId)).toEqual(runningBefore);
      await waitServing(addresses, WEB_HOST, /^version=v1 greeting=hello secret=set$/m, 5_000);
      // One container serves on each host; at most one more is kept paused for a quick rollback.
      for (const name of LAB_NAMES) {
        const web = (await containersOn(lab, name)).filter((line) => line.startsWith("slipway-shop--web-"));
        expect(web.filter((line) => / running /.test(line)), web.join("\n")).toHaveLength(1);
        expect(web.filter((line) => !/ (running|paused) /.test(line)), web.join("\n")).toEqual([]);
        expect(web.length).toBeLessThanOrEqual(2);
      }
    } finally {
      await restore();
    }
  });
});

describe("retention", { timeout: 120_000 }, () => {
  it("keeps the newest N, the pinned one and the running one on every host, nothing else", async () => {
    await setRaw("site", { keepImages: 2 });
    const tags: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const started = await deployArchive(server, ids.site!, tarGz([{ path: "index.html", body: `<h1>site ${i}</h1>\n` }]), `site-${i}.tar.gz`, serverIds());
      const events = await finished(started);
      expect(events.at(-1), story(events)).toMatchObject({ message: "Succeeded" });
      tags.push(started.data!.deployment.imageTag);
      if (i === 1) {
        const pinned = await server.gql(`mutation($id: ID!) { pinDeployment(id: $id) { __typename } }`, { id: started.data!.deployment.id }, server.adminToken);
        expect(pinned.data.pinDeployment.__typename).toBe("MutationPinDeploymentSuccess");
      }
    }
    await waitServing(addresses, SITE_DOMAIN, /site 4/);
    const first = (await server.app.deps.db.deployment.findFirstOrThrow({ where: { serviceId: rawId(ids.site!) }, orderBy: { createdAt: "asc" } })).imageTag;
    // The very first static deploy (earlier test), pinned site 1, and the newest two.
    const expected = [tags[0]!, tags[2]!, tags[3]!].sort();
    for (const name of LAB_NAMES) {
      const left = await imageTagsOn(lab, name, "shop--site");
      expect(left, name).toEqual(expected);
      expect(left).not.toContain(first);
    }
  });
});

describe("bad input changes nothing on any server", { timeout: 60_000 }, () => {
  it("refuses a zip-slip archive and a git ref that is an option", async () => {
    const before = await hostState();
    const deployments = await server.app.deps.db.deployment.count();
    const evil = tarGz([...nodeApp("evil"), { path: "../../etc/nginx/conf.d/evil.conf", body: "server { listen 80; }" }]);
    const slip = await deployArchive(server, ids.web!, evil, "evil.tar.gz");
    expect(slip.__typename).toBe("ValidationError");
    expect(slip.message).toMatch(/\.\./);
    const injected = await deploySource(server, ids.web!, { type: "GIT", repository: "https://git.e2e.test/shop.git", ref: "--upload-pack=touch /tmp/e2e-pwned" });
    expect(injected.__typename).toBe("ValidationError");
    expect(injected.fieldErrors!.map((f) => f.path.join("."))).toContain("source.ref");
    expect(await server.app.deps.db.deployment.count()).toBe(deployments);
    expect(await hostState()).toEqual(before);
    await waitServing(addresses, WEB_HOST, /^version=v1 greeting=hello secret=set$/m, 2_000);
  });
});

describe("deleting a service", { timeout: 120_000 }, () => {
  it("takes its nginx site, containers and images off every host, then deletes it; the others keep serving", async () => {
    const siteOnHosts = async () =>
      Promise.all(LAB_NAMES.map(async (name) => ({
        sites: Object.keys(siteFilesOn(lab, name)).filter((file) => file.includes("shop--site")),
        containers: (await containersOn(lab, name)).filter((line) => line.includes("shop--site")),
        images: await imageTagsOn(lab, name, "shop--site"),
      })));
    for (const host of await siteOnHosts()) {
      expect(host.sites).toHaveLength(1);
      expect(host.containers.length).toBeGreaterThan(0);
      expect(host.images.length).toBeGreaterThan(0);
    }
    const deleted = await server.gql(
      `mutation($id: ID!) { deleteService(id: $id) { __typename ... on MutationDeleteServiceSuccess { data { operation { id } } } ... on Error { message } } }`,
      { id: ids.site },
      server.adminToken,
    );
    expect(deleted.data.deleteService.__typename, JSON.stringify(deleted)).toBe("MutationDeleteServiceSuccess");
    const events = await follow(server, deleted.data.deleteService.data.operation.id);
    expect(events.at(-1), JSON.stringify(events.slice(-4))).toMatchObject({ message: "Succeeded" });
    expect(await siteOnHosts()).toEqual(LAB_NAMES.map(() => ({ sites: [], containers: [], images: [] })));
    expect(await server.app.deps.db.service.count({ where: { id: rawId(ids.site!) } })).toBe(0);
    expect((await get(addresses[0]!, SITE_DOMAIN)).status).not.toBe(200);
    await waitServing(addresses, WEB_HOST, /^version=v1 greeting=hello secret=set$/m, 2_000);
  });
});
