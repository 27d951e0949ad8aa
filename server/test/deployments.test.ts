import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { selectTagsToKeep } from "../src/domain/deployments/cleanup-images.js";
import { expectedAgentVersion } from "../src/domain/servers/agent-release.js";
import { collect, gid, rawId, startTestServer, type TestServer } from "./harness.js";
import { tarGz } from "./fixtures/sources/archives.js";
import { RecordingGateway } from "./recording-gateway.js";

const DEPLOY = `mutation($input: DeployInput!) { deploy(input: $input) {
  __typename ... on MutationDeploySuccess { data { deployment { id imageTag status } operation { id } } }
  ... on Error { message } ... on ValidationError { fieldErrors { path message } } } }`;
const ROLLBACK = `mutation($id: ID!) { rollback(deploymentId: $id) {
  __typename ... on MutationRollbackSuccess { data { deployment { id imageTag } operation { id } } } ... on Error { message } } }`;
const EVENTS = `subscription($id: ID!) { operationEvents(operationId: $id) { seq step level message serverId releaseState } }`;
const DEPLOYMENT = `query($id: ID!) { node(id: $id) { ... on Deployment { status error imageTag domains routedAt finishedAt rolledBackFrom { id } restored { id }
  targets { server { id } state error } } } }`;

let server: TestServer;
let gateway: RecordingGateway;
let serviceId: string;
const serverIds: string[] = [];

beforeAll(async () => {
  gateway = new RecordingGateway();
  server = await startTestServer({}, undefined, { servers: gateway });
  const { db } = server.app.deps;
  for (const name of ["a", "b", "c"]) {
    serverIds.push((await db.server.create({ data: { name: `host-${name}`, kind: "SSH_HOST", status: "ACTIVE", managed: false } })).id);
  }
  await db.server.create({ data: { name: "foreign-droplet", kind: "DROPLET", status: "ACTIVE", managed: false } });
  const project = await server.gql(`mutation { createProject(input: {name: "shop"}) { ... on MutationCreateProjectSuccess { data { id } } } }`, {}, server.adminToken);
  const service = await server.gql(
    `mutation($p: ID!) { createService(input: {projectId: $p, name: "web", port: 8080, healthCheckPath: "/healthz"}) { ... on MutationCreateServiceSuccess { data { id } } } }`,
    { p: project.data.createProject.data.id },
    server.adminToken,
  );
  serviceId = service.data.createService.data.id;
});
afterAll(async () => server?.stop());
beforeEach(() => {
  gateway.calls.length = 0;
  gateway.failReleaseOn.clear();
  gateway.loseContactOn.clear();
  gateway.unreachable.clear();
  gateway.loseCopyTo.clear();
});

async function setEnv(vars: { key: string; value: string; secret?: boolean }[]) {
  const result = await server.gql(
    `mutation($s: ID!, $v: [EnvVarInput!]!) { setServiceEnv(serviceId: $s, vars: $v) { __typename } }`,
    { s: serviceId, v: vars },
    server.adminToken,
  );
  expect(result.data.setServiceEnv.__typename).toBe("MutationSetServiceEnvSuccess");
}

async function deploy(image: string, servers = serverIds) {
  const result = await server.gql(
    DEPLOY,
    { input: { serviceId, source: { type: "IMAGE", image }, serverIds: servers.map((id) => gid("Server", id)) } },
    server.adminToken,
  );
  return result.data.deploy;
}

async function finish(operationId: string) {
  return (await collect<{ operationEvents: { seq: number; step: string; level: string; message: string; serverId: string | null; releaseState: string | null } }>(
    server.ws(server.adminToken), EVENTS, { id: operationId },
  ).done).values.map((v) => v.operationEvents);
}

async function deploymentState(id: string) {
  return (await server.gql(DEPLOYMENT, { id }, server.adminToken)).data.node;
}

describe("deploying", () => {
  let first: { id: string; imageTag: string };

  it("gets the image onto every server once (pull on one, copy to the rest) and switches each", async () => {
    await setEnv([{ key: "GREETING", value: "one" }, { key: "API_KEY", value: "sk_first_secret_value", secret: true }]);
    const started = await deploy("registry.test/shop/web:1");
    expect(started.__typename).toBe("MutationDeploySuccess");
    first = started.data.deployment;
    expect(first.imageTag).toMatch(/^slipway\/shop-web:deploy_[0-9a-f]{8}$/);
    const events = await finish(started.data.operation.id);

    const pulls = gateway.calls.filter((c) => c.kind === "pull");
    const copies = gateway.calls.filter((c) => c.kind === "copy");
    const releases = gateway.calls.filter((c) => c.kind === "release");
    const puller = pulls[0]?.kind === "pull" ? pulls[0].serverId : "";
    expect(pulls).toHaveLength(1);
    expect(copies.map((c) => c.kind === "copy" && c.to).sort()).toEqual(serverIds.filter((id) => id !== puller).sort());
    expect(releases.map((c) => c.kind === "release" && c.serverId).sort()).toEqual([...serverIds].sort());
    for (const release of releases) {
      if (release.kind !== "release") continue;
      expect(release.image).toBe(first.imageTag);
      expect(release.env).toEqual({ GREETING: "one", API_KEY: "sk_first_secret_value" });
      expect(release.domains).toContain("web.shop.slipway.internal");
    }
    expect(events.at(-1)).toMatchObject({ step: "finished", message: "Succeeded" });
    expect(events.filter((e) => e.releaseState === "SWITCHED").map((e) => e.serverId).sort()).toEqual(serverIds.map((id) => gid("Server", id)).sort());
    expect(JSON.stringify(events)).not.toContain("sk_first_secret_value");

    const state = await deploymentState(first.id);
    expect(state.status).toBe("SUCCEEDED");
    expect(state.targets.map((t: { state: string }) => t.state)).toEqual(["SWITCHED", "SWITCHED", "SWITCHED"]);
    // Each server's state at every transition, as the agent reported it; "routed" once all switched.
    for (const id of serverIds) {
      expect(events.filter((e) => e.serverId === gid("Server", id) && e.step === "release").map((e) => e.releaseState)).toEqual(["STARTING", "HEALTHY", "SWITCHED"]);
    }
    const routed = events.findIndex((e) => e.step === "routed");
    expect(events[routed]).toMatchObject({ serverId: null, message: `Every server routes traffic to ${first.imageTag}` });
    expect(events.slice(routed + 1).some((e) => e.releaseState === "SWITCHED")).toBe(false);
    expect(Date.parse(state.routedAt)).toBeLessThanOrEqual(Date.parse(state.finishedAt));
    const running = await server.app.deps.db.serviceServer.findMany({ where: { serviceId: rawId(serviceId) } });
    expect(running.map((r) => r.currentDeploymentId)).toEqual(Array(3).fill(rawId(first.id)));
    expect(running.map((r) => r.containerId)).toEqual(Array(3).fill(`c-${rawId(first.id).slice(0, 8)}`));
    // Pulled only when missing, by default; the service's timing travels with the release.
    expect(pulls[0]).toMatchObject({ policy: "missing" });
    expect(releases[0]).toMatchObject({ drainTimeoutSeconds: 30, intervalMs: 200 });
    // The control plane moves targets only along the protocol's table too.
    const { moveTarget } = await import("../src/domain/deployments/target-states.js");
    await expect(moveTarget(server.app.deps.db, rawId(first.id), serverIds[0]!, "starting")).rejects.toThrow("a release cannot go from switched to starting");
  });

  it("puts the switched servers back when one server fails, so every server runs one version", async () => {
    await setEnv([{ key: "GREETING", value: "two" }]);
    gateway.failReleaseOn.add(serverIds[1]!);
    gateway.failureMessage = "health check never passed; key sk_first_secret_value";
    const started = await deploy("registry.test/shop/web:2");
    const events = await finish(started.data.operation.id);

    const state = await deploymentState(started.data.deployment.id);
    expect(state.status).toBe("FAILED");
    expect(state.error).toBe("Failed on host-b (health check): health check never passed; key [redacted]");
    expect(state.routedAt).toBeNull();
    const byServer = Object.fromEntries(state.targets.map((t: { server: { id: string }; state: string }) => [rawId(t.server.id), t.state]));
    expect(byServer[serverIds[1]!]).toBe("FAILED");
    expect(byServer[serverIds[0]!]).toBe("REVERTED");
    expect(byServer[serverIds[2]!]).toBe("REVERTED");
    for (const id of serverIds) expect(gateway.imageOn(id)).toBe(first.imageTag);
    expect(events.some((e) => e.step === "routed")).toBe(false);
    const reverts = events.filter((e) => e.step === "revert" && e.releaseState === "REVERTED");
    expect(reverts.map((e) => e.serverId).sort()).toEqual([serverIds[0]!, serverIds[2]!].map((id) => gid("Server", id)).sort());
    expect(events.at(-1)).toMatchObject({ step: "finished", level: "ERROR" });
    expect(JSON.stringify(events)).not.toContain("sk_first_secret_value");
    const running = await server.app.deps.db.serviceServer.findMany();
    expect(new Set(running.map((r) => r.currentDeploymentId))).toEqual(new Set([rawId(first.id)]));
  });

  it("leaves a server lost mid-release unknown and unreachable, puts the others back, and brings it in line once it answers", async () => {
    const { db } = server.app.deps;
    gateway.loseContactOn.add(serverIds[2]!);
    const started = await deploy("registry.test/shop/web:2b");
    const events = await finish(started.data.operation.id);

    const state = await deploymentState(started.data.deployment.id);
    expect(state.status).toBe("FAILED");
    expect(state.error).toBe("Failed on host-c (switch): lost contact during the switch (no word from the agent for 6s)");
    const byServer = Object.fromEntries(state.targets.map((t: { server: { id: string }; state: string; error: string }) => [rawId(t.server.id), t]));
    expect(byServer[serverIds[2]!]).toMatchObject({ state: "UNKNOWN", error: "lost contact during the switch (no word from the agent for 6s)" });
    expect(byServer[serverIds[0]!].state).toBe("REVERTED");
    expect(byServer[serverIds[1]!].state).toBe("REVERTED");
    // The lost one is not put back while unreachable; the event says who, at which step, and what comes next.
    expect(events.filter((e) => e.step === "revert" && e.releaseState === "REVERTED").map((e) => e.serverId).sort()).toEqual(
      [serverIds[0]!, serverIds[1]!].map((id) => gid("Server", id)).sort(),
    );
    expect(events.find((e) => e.releaseState === "UNKNOWN")).toMatchObject({
      step: "release",
      level: "ERROR",
      serverId: gid("Server", serverIds[2]!),
      message: "host-c: lost contact during the switch (no word from the agent for 6s); what it runs is unknown until it answers again, then Slipway brings it in line",
    });
    const lost = await db.server.findUniqueOrThrow({ where: { id: serverIds[2]! } });
    expect(lost.status).toBe("UNREACHABLE");
    expect(lost.unreachableSince).toBeInstanceOf(Date);
    // What the API says it runs comes from its agent: unknown now.
    const rows = await db.serviceServer.findMany({ where: { serviceId: rawId(serviceId) }, orderBy: { serverId: "asc" } });
    expect(rows.find((r) => r.serverId === serverIds[2])!.currentDeploymentId).toBeNull();
    expect(gateway.imageOn(serverIds[2]!)).toBe("slipway/shop-web:deploy_" + rawId(started.data.deployment.id).slice(0, 8));

    // It answers again: it ran the failed release, so it is put back to the fleet's, with an operation.
    const { checkUnreachableServers } = await import("../src/domain/servers/reconcile-servers.js");
    await checkUnreachableServers(server.app.deps);
    const reconcile = await db.operation.findFirstOrThrow({ where: { kind: "RECONCILE" }, orderBy: { createdAt: "desc" } });
    expect(reconcile.title).toBe(`Bring host-c back in line: shop/web on ${first.imageTag}`);
    const steps = await finish(gid("Operation", reconcile.id));
    expect(steps.at(-1)).toMatchObject({ step: "finished", message: "Succeeded" });
    expect(steps.filter((e) => e.step === "reconcile").at(-1)!.message).toBe(`host-c runs ${first.imageTag} again, like the rest of the fleet`);
    expect(gateway.imageOn(serverIds[2]!)).toBe(first.imageTag);
    const back = await db.server.findUniqueOrThrow({ where: { id: serverIds[2]! } });
    expect(back).toMatchObject({ status: "ACTIVE", unreachableSince: null });
    const after = await deploymentState(started.data.deployment.id);
    expect(after.targets.find((t: { server: { id: string } }) => rawId(t.server.id) === serverIds[2])).toMatchObject({ state: "REVERTED" });
    const running = await db.serviceServer.findMany({ where: { serviceId: rawId(serviceId) } });
    expect(new Set(running.map((r) => r.currentDeploymentId))).toEqual(new Set([rawId(first.id)]));
  });

  it("names the server and the step when an image copy loses a server, and fails every target", async () => {
    gateway.loseCopyTo.add(serverIds[1]!);
    const started = await deploy("registry.test/shop/web:2c");
    const events = await finish(started.data.operation.id);
    const state = await deploymentState(started.data.deployment.id);
    expect(state.status).toBe("FAILED");
    expect(state.error).toBe("host-b: image copy failed: lost contact with the server (no word from the agent for 6s)");
    expect(state.targets.map((t: { state: string }) => t.state)).toEqual(["FAILED", "FAILED", "FAILED"]);
    for (const t of state.targets) expect(t.error).toBe(`not started: ${state.error}`);
    expect(events.find((e) => e.step === "image" && e.level === "ERROR")).toMatchObject({ serverId: gid("Server", serverIds[1]!), message: state.error });
    expect(gateway.calls.filter((c) => c.kind === "release")).toEqual([]);
    const lost = await server.app.deps.db.server.findUniqueOrThrow({ where: { id: serverIds[1]! } });
    expect(lost.status).toBe("UNREACHABLE");
    // It answers again: it never left the fleet's release, so nothing needs to run.
    const before = await server.app.deps.db.operation.count({ where: { kind: "RECONCILE" } });
    const { checkUnreachableServers } = await import("../src/domain/servers/reconcile-servers.js");
    await checkUnreachableServers(server.app.deps);
    expect(await server.app.deps.db.operation.count({ where: { kind: "RECONCILE" } })).toBe(before);
    expect((await server.app.deps.db.server.findUniqueOrThrow({ where: { id: serverIds[1]! } })).status).toBe("ACTIVE");
  });

  it("rolls back by reusing the earlier image and its env, without building or pulling", async () => {
    await setEnv([{ key: "GREETING", value: "three" }]);
    const third = await deploy("registry.test/shop/web:3");
    await finish(third.data.operation.id);
    gateway.calls.length = 0;

    const rolled = await server.gql(ROLLBACK, { id: first.id }, server.adminToken);
    expect(rolled.data.rollback.data.deployment.imageTag).toBe(first.imageTag);
    const events = await finish(rolled.data.rollback.data.operation.id);
    // Every server still has the image: no image step at all, and no copy.
    expect(gateway.calls.filter((c) => c.kind === "build" || c.kind === "pull" || c.kind === "copy")).toEqual([]);
    expect(events.some((e) => e.step === "image")).toBe(false);
    const releases = gateway.calls.filter((c) => c.kind === "release");
    expect(releases).toHaveLength(3);
    for (const release of releases) if (release.kind === "release") expect(release.env.GREETING).toBe("one");
    const state = await deploymentState(rolled.data.rollback.data.deployment.id);
    expect(state.status).toBe("SUCCEEDED");
    expect(state.restored.id).toBe(first.id);
    expect(state.rolledBackFrom.id).toBe(third.data.deployment.id);
  });

  it("refuses bad requests with clear errors and records nothing", async () => {
    const before = await server.app.deps.db.deployment.count();
    const project = await server.gql(`{ projects { edges { node { id } } } }`, {}, server.adminToken);
    const fresh = await server.gql(
      `mutation($p: ID!) { createService(input: {projectId: $p, name: "api"}) { ... on MutationCreateServiceSuccess { data { id } } } }`,
      { p: project.data.projects.edges[0].node.id },
      server.adminToken,
    );
    const noServers = await server.gql(
      DEPLOY,
      { input: { serviceId: fresh.data.createService.data.id, source: { type: "IMAGE", image: "x" } } },
      server.adminToken,
    );
    expect(noServers.data.deploy.message).toMatch(/at least one server/);
    const foreign = await server.app.deps.db.server.findUniqueOrThrow({ where: { name: "foreign-droplet" } });
    const unmanaged = await deploy("registry.test/shop/web:4", [foreign.id]);
    expect(unmanaged.message).toMatch(/only to droplets it manages/);
    // An agent older than this control plane's speaks an older release protocol: refused up front.
    const oldAgent = await server.app.deps.db.server.create({ data: { name: "old-agent", kind: "SSH_HOST", status: "ACTIVE", managed: false, agentVersion: "0.0.9" } });
    const outdated = await deploy("registry.test/shop/web:4", [serverIds[0]!, oldAgent.id]);
    expect(outdated).toMatchObject({ __typename: "ConflictError" });
    expect(outdated.message).toBe(
      `Servers run an older agent than this control plane's ${expectedAgentVersion()}: old-agent (0.0.9). Upgrade their agent first (slipway servers upgrade-agent <server>, or Upgrade agent on the Servers page)`,
    );
    await server.app.deps.db.server.delete({ where: { id: oldAgent.id } });
    const injected = await server.gql(
      DEPLOY,
      { input: { serviceId, source: { type: "GIT", repository: "https://git.test/a.git", ref: "--upload-pack=touch /tmp/pwned" } } },
      server.adminToken,
    );
    expect(injected.data.deploy.__typename).toBe("ValidationError");
    expect(injected.data.deploy.fieldErrors.map((f: { path: string[] }) => f.path.join("."))).toContain("source.ref");
    // git:// on loopback only with SLIPWAY_ALLOW_INSECURE_GIT (this server runs without it).
    const insecure = await server.gql(
      DEPLOY,
      { input: { serviceId, source: { type: "GIT", repository: "git://127.0.0.1:9418/app.git", ref: "main" } } },
      server.adminToken,
    );
    expect(insecure.data.deploy.fieldErrors).toEqual([{ path: ["source", "repository"], message: "must be an https://, ssh:// or user@host:path repository URL" }]);
    const badImage = await deploy("nginx;rm -rf /");
    expect(badImage.__typename).toBe("ValidationError");
    const noArchive = await server.gql(DEPLOY, { input: { serviceId, source: { type: "ARCHIVE" } } }, server.adminToken);
    expect(noArchive.data.deploy.message).toMatch(/needs an uploaded file/);
    expect(await server.app.deps.db.deployment.count()).toBe(before);
    expect(gateway.calls).toEqual([]);
  });

  it("cleans up on demand: keeps the newest N, the running one and pinned ones; removes only the rest", async () => {
    const { db } = server.app.deps;
    const raw = rawId(serviceId);
    await db.service.update({ where: { id: raw }, data: { keepImages: 1 } });
    const older = await db.deployment.findFirstOrThrow({ where: { imageTag: { not: first.imageTag }, status: "SUCCEEDED" }, orderBy: { createdAt: "asc" } });
    await server.gql(`mutation($id: ID!) { pinDeployment(id: $id) { __typename } }`, { id: gid("Deployment", older.id) }, server.adminToken);
    for (let i = 5; i <= 6; i++) await finish((await deploy(`registry.test/shop/web:${i}`)).data.operation.id);
    const newest = await db.deployment.findFirstOrThrow({ where: { serviceId: raw }, orderBy: { createdAt: "desc" } });
    const cleanup = await server.gql(`mutation($s: ID!) { cleanupImages(serviceId: $s) { ... on MutationCleanupImagesSuccess { data { id } } } }`, { s: serviceId }, server.adminToken);
    await finish(cleanup.data.cleanupImages.data.id);
    for (const id of serverIds) {
      const tags = (gateway.images.get(id) ?? []).flatMap((i) => i.tags).sort();
      expect(tags).toEqual([newest.imageTag, older.imageTag].sort());
    }
  });
});

describe("recovering a deploy whose replica stopped mid-release", () => {
  it("has every agent give the release up first (failures recorded, not fatal), then puts the fleet on one version; the stale run changes nothing", async () => {
    const { db } = server.app.deps;
    const [a, b, c] = serverIds as [string, string, string];
    const before = await deploy("registry.test/shop/web:r1");
    expect((await finish(before.data.operation.id)).at(-1)).toMatchObject({ step: "finished", message: "Succeeded" });
    // a and b wait in v2's health check; c has switched; b's agent is too old to be told.
    gateway.holdInHealthCheck = new Set([a, b]);
    gateway.oldAgents.add(b);
    const started = await deploy("registry.test/shop/web:r2");
    const byServer = async () => Object.fromEntries((await deploymentState(started.data.deployment.id)).targets.map((t: { server: { id: string }; state: string; error: string | null }) => [rawId(t.server.id), t]));
    for (let waited = 0; ; waited += 20) {
      const targets = await byServer();
      if (targets[a].state === "STARTING" && targets[b].state === "STARTING" && targets[c].state === "SWITCHED") break;
      if (waited > 10_000) throw new Error(`not mid-release: ${JSON.stringify(targets)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    gateway.calls.length = 0;

    // Its replica stops answering (frozen, its connections open): its lease runs out, and this
    // replica's sweep takes the operation over.
    const operationId = rawId(started.data.operation.id);
    await db.operation.update({ where: { id: operationId }, data: { ownerId: "a-replica-that-froze", heartbeatAt: new Date(0) } });
    const events = await finish(started.data.operation.id);
    const recover = events.filter((e) => e.step === "recover" && e.serverId !== null);
    expect(recover.map((e) => [rawId(e.serverId!), e.level, e.message]).sort()).toEqual(
      [
        [a, "INFO", "host-a: gave this release up before its switch: its new container is removed, the previous release keeps serving"],
        [b, "WARN", "host-b: could not tell it to give this release up: no endpoint /v1/releases/give-up"],
        [c, "INFO", "host-c: had switched to this release"],
        [a, "INFO", "host-a runs its previous release"],
        [b, "INFO", "host-b runs its previous release"],
        [c, "INFO", "host-c runs this release"],
      ].sort(),
    );
    // Every agent was told before anything was put back.
    expect(gateway.calls.map((call) => (call.kind === "give-up" ? call : `${call.kind} ${"serverId" in call ? call.serverId : ""}`))).toEqual([
      ...[a, b, c].map((serverId) => ({ kind: "give-up", serverId, service: "shop--web", deployment: rawId(started.data.deployment.id) })),
      `release ${c}`,
    ]);
    expect(events.at(-1)).toMatchObject({ step: "finished", level: "ERROR", message: "Interrupted: The control plane replica running this operation stopped" });
    const after = await deploymentState(started.data.deployment.id);
    expect(after.status).toBe("INTERRUPTED");
    const targets = await byServer();
    expect([targets[a].state, targets[b].state, targets[c].state]).toEqual(["FAILED", "FAILED", "REVERTED"]);
    for (const id of [a, b, c]) expect(gateway.imageOn(id)).toBe(before.data.deployment.imageTag);

    // The frozen replica resumes: its held releases end, and its writes are refused by the fence.
    const stored = await db.operationEvent.count({ where: { operationId } });
    await gateway.resumeHeld();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await db.operationEvent.count({ where: { operationId } })).toBe(stored);
    expect(await db.operation.findUniqueOrThrow({ where: { id: operationId } })).toMatchObject({ status: "INTERRUPTED" });
    expect(await deploymentState(started.data.deployment.id)).toEqual(after);
    gateway.oldAgents.delete(b);
  });
});

describe("cleaning up a fleet", () => {
  it("asks every server at once, not one after another", async () => {
    const { cleanupServiceImages } = await import("../src/domain/deployments/cleanup-images.js");
    const { db } = server.app.deps;
    const raw = rawId(serviceId);
    const rows = await db.serviceServer.findMany({ where: { serviceId: raw } });
    expect(rows.length).toBeGreaterThanOrEqual(3);
    let inFlight = 0;
    let most = 0;
    const slow = Object.create(gateway) as RecordingGateway;
    slow.listImages = async (serverId: string, service: string) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 50));
      inFlight--;
      return gateway.listImages(serverId, service);
    };
    const summary = await cleanupServiceImages({ ...server.app.deps, servers: slow }, raw);
    expect(most).toBe(rows.length);
    expect(summary.kept.length).toBeGreaterThan(0);
  });
});

describe("the retention rule", () => {
  const at = (n: number) => new Date(2026, 0, n);
  it("keeps the newest N succeeded images, pinned ones and running ones, nothing else", () => {
    const deployments = [
      { imageTag: "t1", createdAt: at(1), pinned: true, status: "SUCCEEDED" },
      { imageTag: "t2", createdAt: at(2), pinned: false, status: "SUCCEEDED" },
      { imageTag: "t3", createdAt: at(3), pinned: false, status: "FAILED" },
      { imageTag: "t4", createdAt: at(4), pinned: false, status: "SUCCEEDED" },
      { imageTag: "t2", createdAt: at(5), pinned: false, status: "SUCCEEDED" },
    ];
    expect([...selectTagsToKeep(deployments, [], 2)].sort()).toEqual(["t1", "t2", "t4"]);
    expect([...selectTagsToKeep(deployments, ["t3"], 1)].sort()).toEqual(["t1", "t2", "t3"]);
    expect([...selectTagsToKeep(deployments, [], 0)].sort()).toEqual(["t1"]);
  });
});

const DEPLOY_ARCHIVE = `mutation($input: DeployInput!, $archive: File) { deploy(input: $input, archive: $archive) {
  __typename ... on MutationDeploySuccess { data { deployment { id } operation { id } } } ... on Error { message } } }`;

describe("deploying an uploaded archive", () => {
  async function upload(archive: Buffer, filename: string) {
    const form = new FormData();
    form.set("operations", JSON.stringify({ query: DEPLOY_ARCHIVE, variables: { input: { serviceId, source: { type: "ARCHIVE" } }, archive: null } }));
    form.set("map", JSON.stringify({ 0: ["variables.archive"] }));
    form.set("0", new Blob([new Uint8Array(archive)]), filename);
    const response = await fetch(server.url, { method: "POST", headers: { authorization: `Bearer ${server.adminToken}` }, body: form });
    const body = (await response.json()) as { data: { deploy: any } | null; errors?: unknown };
    if (!body.data) throw new Error(JSON.stringify(body.errors));
    return body.data.deploy;
  }

  it("refuses a zip-slip archive before anything is recorded", async () => {
    const before = await server.app.deps.db.deployment.count();
    const evil = tarGz([{ path: "index.html", body: "<h1>hi</h1>" }, { path: "../../evil.sh", body: "boom" }]);
    const result = await upload(evil, "site.tar.gz");
    expect(result.__typename).toBe("ValidationError");
    expect(result.message).toMatch(/\.\./);
    expect(await server.app.deps.db.deployment.count()).toBe(before);
    expect(gateway.calls).toEqual([]);
  });

  it("builds a static site once, with a generated Dockerfile in its context", async () => {
    const site = tarGz([{ path: "index.html", body: "<h1>hello from the archive</h1>" }]);
    const started = await upload(site, "site.tar.gz");
    expect(started.__typename).toBe("MutationDeploySuccess");
    const events = await finish(started.data.operation.id);
    expect(events.at(-1)).toMatchObject({ step: "finished", message: "Succeeded" });
    expect(gateway.calls.filter((c) => c.kind === "build")).toHaveLength(1);
    const context = gateway.contexts.at(-1)!.toString("latin1");
    expect(context).toContain("Dockerfile");
    expect(context).toContain("httpd");
    expect(context).toContain("hello from the archive");
    expect(events.find((e) => e.step === "build")?.message).toMatch(/generated Dockerfile for static/);
  });
});
