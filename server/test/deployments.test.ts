import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { selectTagsToKeep } from "../src/domain/deployments/cleanup-images.js";
import { collect, gid, rawId, startTestServer, type TestServer } from "./harness.js";
import { tarGz } from "./fixtures/sources/archives.js";
import { RecordingGateway } from "./recording-gateway.js";

const DEPLOY = `mutation($input: DeployInput!) { deploy(input: $input) {
  __typename ... on MutationDeploySuccess { data { deployment { id imageTag status } operation { id } } }
  ... on Error { message } ... on ValidationError { fieldErrors { path message } } } }`;
const ROLLBACK = `mutation($id: ID!) { rollback(deploymentId: $id) {
  __typename ... on MutationRollbackSuccess { data { deployment { id imageTag } operation { id } } } ... on Error { message } } }`;
const EVENTS = `subscription($id: ID!) { operationEvents(operationId: $id) { seq step level message serverId } }`;
const DEPLOYMENT = `query($id: ID!) { node(id: $id) { ... on Deployment { status error imageTag domains rolledBackFrom { id } restored { id }
  targets { server { id } status error } } } }`;

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
  return (await collect<{ operationEvents: { seq: number; step: string; level: string; message: string; serverId: string | null } }>(
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
    expect(events.filter((e) => e.step === "release").map((e) => e.serverId).sort()).toEqual(serverIds.map((id) => gid("Server", id)).sort());
    expect(JSON.stringify(events)).not.toContain("sk_first_secret_value");

    const state = await deploymentState(first.id);
    expect(state.status).toBe("SUCCEEDED");
    expect(state.targets.map((t: { status: string }) => t.status)).toEqual(["SWITCHED", "SWITCHED", "SWITCHED"]);
    const running = await server.app.deps.db.serviceServer.findMany({ where: { serviceId: rawId(serviceId) } });
    expect(running.map((r) => r.currentDeploymentId)).toEqual(Array(3).fill(rawId(first.id)));
  });

  it("puts the switched servers back when one server fails, so every server runs one version", async () => {
    await setEnv([{ key: "GREETING", value: "two" }]);
    gateway.failReleaseOn.add(serverIds[1]!);
    gateway.failureMessage = "health check never passed; key sk_first_secret_value";
    const started = await deploy("registry.test/shop/web:2");
    const events = await finish(started.data.operation.id);

    const state = await deploymentState(started.data.deployment.id);
    expect(state.status).toBe("FAILED");
    expect(state.error).toContain("host-b");
    const byServer = Object.fromEntries(state.targets.map((t: { server: { id: string }; status: string }) => [rawId(t.server.id), t.status]));
    expect(byServer[serverIds[1]!]).toBe("FAILED");
    expect(byServer[serverIds[0]!]).toBe("REVERTED");
    expect(byServer[serverIds[2]!]).toBe("REVERTED");
    for (const id of serverIds) expect(gateway.running.get(id)).toBe(first.imageTag);
    const reverts = events.filter((e) => e.step === "revert");
    expect(reverts.map((e) => e.serverId).sort()).toEqual([serverIds[0]!, serverIds[2]!].map((id) => gid("Server", id)).sort());
    expect(events.at(-1)).toMatchObject({ step: "finished", level: "ERROR" });
    expect(JSON.stringify(events)).not.toContain("sk_first_secret_value");
    const running = await server.app.deps.db.serviceServer.findMany();
    expect(new Set(running.map((r) => r.currentDeploymentId))).toEqual(new Set([rawId(first.id)]));
  });

  it("puts back a server it lost contact with mid-release too: its agent may have switched alone", async () => {
    gateway.loseContactOn.add(serverIds[2]!);
    const started = await deploy("registry.test/shop/web:2b");
    const events = await finish(started.data.operation.id);

    const state = await deploymentState(started.data.deployment.id);
    expect(state.status).toBe("FAILED");
    const byServer = Object.fromEntries(state.targets.map((t: { server: { id: string }; status: string; error: string }) => [rawId(t.server.id), t]));
    expect(byServer[serverIds[2]!]).toMatchObject({ status: "FAILED", error: `lost contact with the server: closed; put back ${first.imageTag}` });
    expect(byServer[serverIds[0]!].status).toBe("REVERTED");
    expect(byServer[serverIds[1]!].status).toBe("REVERTED");
    for (const id of serverIds) expect(gateway.running.get(id)).toBe(first.imageTag);
    const reverts = events.filter((e) => e.step === "revert");
    expect(reverts.map((e) => e.serverId).sort()).toEqual(serverIds.map((id) => gid("Server", id)).sort());
    expect(reverts.find((e) => e.serverId === gid("Server", serverIds[2]!))!.message).toBe(
      `Putting back ${first.imageTag} (contact was lost mid-release: it may have switched)`,
    );
    expect(events.find((e) => e.step === "release" && e.level === "ERROR")!.message).toBe("Not switched: lost contact with the server: closed");
    const running = await server.app.deps.db.serviceServer.findMany();
    expect(new Set(running.map((r) => r.currentDeploymentId))).toEqual(new Set([rawId(first.id)]));
  });

  it("rolls back by reusing the earlier image and its env, without building or pulling", async () => {
    await setEnv([{ key: "GREETING", value: "three" }]);
    const third = await deploy("registry.test/shop/web:3");
    await finish(third.data.operation.id);
    gateway.calls.length = 0;

    const rolled = await server.gql(ROLLBACK, { id: first.id }, server.adminToken);
    expect(rolled.data.rollback.data.deployment.imageTag).toBe(first.imageTag);
    await finish(rolled.data.rollback.data.operation.id);
    expect(gateway.calls.filter((c) => c.kind === "build" || c.kind === "pull")).toEqual([]);
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
    slow.listImages = async (serverId: string) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 50));
      inFlight--;
      return gateway.listImages(serverId);
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
