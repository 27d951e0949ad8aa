// Issue 11, finding 9: the smaller boundaries, each checked the way an outsider would meet it.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { pino } from "pino";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { gitEnvironment } from "../src/domain/sources/git.js";
import { ADMIN, collect, gid, rawId, startTestServer, type TestServer } from "./harness.js";
import { RecordingGateway } from "./recording-gateway.js";
import { freshTestDatabase } from "./test-database.js";

const DEPLOY = `mutation($input: DeployInput!) { deploy(input: $input) {
  __typename ... on MutationDeploySuccess { data { deployment { id } operation { id } } } ... on Error { message } ... on ValidationError { fieldErrors { path message } } } }`;
const ADOPT = `mutation($input: AdoptServerInput!) { adoptServer(input: $input) {
  __typename ... on Error { message } ... on ValidationError { fieldErrors { path message } } } }`;

let server: TestServer;
let gateway: RecordingGateway;
let serviceId: string;
let hostId: string;

beforeAll(async () => {
  gateway = new RecordingGateway();
  server = await startTestServer({ SLIPWAY_CONSOLE_URL: "https://console.example.test" }, undefined, { servers: gateway });
  hostId = (await server.app.deps.db.server.create({ data: { name: "host-a", kind: "SSH_HOST", status: "ACTIVE", managed: false, publicIpv4: "203.0.113.5" } })).id;
  const project = await server.gql(`mutation { createProject(input: {name: "edge"}) { ... on MutationCreateProjectSuccess { data { id } } } }`, {}, server.adminToken);
  const service = await server.gql(
    `mutation($p: ID!) { createService(input: {projectId: $p, name: "web"}) { ... on MutationCreateServiceSuccess { data { id } } } }`,
    { p: project.data.createProject.data.id },
    server.adminToken,
  );
  serviceId = service.data.createService.data.id;
});
afterAll(async () => server?.stop());

const post = (body: Readable | string, headers: Record<string, string> = {}) =>
  request(server.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("finding 9: request limits", () => {
  it("refuses a chunked body past 1 MiB while it streams, with 413", async () => {
    async function* chunks() {
      yield Buffer.from(`{"query":"{ setupStatus { needsSetup } }","variables":{"pad":"`);
      for (let i = 0; i < 15; i++) yield Buffer.alloc(1024 * 1024, "a");
      yield Buffer.from(`"}}`);
    }
    const response = await post(Readable.from(chunks()), { authorization: `Bearer ${server.adminToken}` }).catch((error: Error) => error);
    if (response instanceof Error) throw response;
    const text = await response.body.text();
    expect(response.statusCode, text).toBe(413);
    expect(text).toMatch(/larger than 1048576 bytes/);
  });

  it("takes uploads past yoga's 25 MB default, up to the archive limit", async () => {
    const form = new FormData();
    form.set("operations", JSON.stringify({ query: DEPLOY, variables: { input: { serviceId, source: { type: "ARCHIVE" }, serverIds: [gid("Server", hostId)] }, archive: null } }));
    form.set("map", JSON.stringify({ 0: ["variables.archive"] }));
    form.set("0", new Blob([Buffer.alloc(26 * 1024 * 1024, 1)]), "big.tar.gz");
    const response = await fetch(server.url, { method: "POST", headers: { authorization: `Bearer ${server.adminToken}` }, body: form });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { deploy: { __typename: string; message: string } } };
    // Read whole and judged as an archive (it is not one), not cut off as too large.
    expect(body.data.deploy.__typename).toBe("ValidationError");
    expect(body.data.deploy.message).not.toMatch(/too large|larger than/i);
  });

  it("caps nodes(ids) however the ids are sent", async () => {
    const ids = Array.from({ length: 101 }, (_, i) => gid("Project", `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`));
    const result = await server.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids }, server.adminToken);
    expect(result.errors?.[0]).toMatchObject({ message: expect.stringMatching(/at most 100 ids/), extensions: { code: "BAD_USER_INPUT" } });
    const hundred = await server.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: ids.slice(0, 100) }, server.adminToken);
    expect(hundred.data?.nodes, JSON.stringify(hundred.errors)).toHaveLength(100);
  });

  it("caps the subscriptions open on one socket, refusing the extra one only", async () => {
    const socket = server.ws(server.adminToken);
    const operation = await server.app.deps.db.operation.create({ data: { kind: "DEPLOY", title: "held open", status: "RUNNING" } });
    // All 21 sent at once: the cap holds however the subscribes interleave.
    const all = Array.from({ length: 21 }, () => collect(socket, `subscription($id: ID!) { operationEvents(operationId: $id) { seq } }`, { id: gid("Operation", operation.id) }));
    const extra = await Promise.race(all.map((s, i) => s.done.then((result) => ({ i, result }))));
    expect(JSON.stringify(extra.result)).toMatch(/At most 20 subscriptions/);
    const open = all.filter((_, i) => i !== extra.i);
    await server.app.deps.db.operation.update({ where: { id: operation.id }, data: { status: "SUCCEEDED" } });
    const ended = await Promise.all(open.map((s) => s.done));
    expect(ended.every((e) => e.errors.length === 0)).toBe(true);
  });
});

describe("finding 9: who may call, and how", () => {
  it("refuses Authorization: Basic with 401", async () => {
    const response = await post(JSON.stringify({ query: "{ setupStatus { needsSetup } }" }), { authorization: `Basic ${Buffer.from(`${ADMIN.email}:${ADMIN.password}`).toString("base64")}` });
    expect(response.statusCode).toBe(401);
    expect(JSON.stringify(await response.body.json())).toMatch(/Bearer/);
  });

  it("answers CORS only for the console's origin", async () => {
    const preflight = (origin: string) =>
      request(server.url, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" } });
    const evil = await preflight("https://evil.test");
    expect(evil.headers["access-control-allow-origin"]).toBeUndefined();
    await evil.body.dump();
    const console = await preflight("https://console.example.test");
    expect(console.headers["access-control-allow-origin"]).toBe("https://console.example.test");
    expect(console.headers["access-control-allow-credentials"]).toBeUndefined();
    await console.body.dump();
  });
});

describe("finding 9: reaching other machines (SSRF)", () => {
  it("refuses git sources and adopted hosts on loopback, link-local and private addresses, with one generic message", async () => {
    const before = await server.app.deps.db.deployment.count();
    for (const repository of ["https://127.0.0.1/x.git", "https://169.254.169.254/latest.git", "https://10.1.2.3:8443/x.git", "git@192.168.1.10:repo.git", "https://localhost/x.git"]) {
      const result = await server.gql(DEPLOY, { input: { serviceId, source: { type: "GIT", repository, ref: "main" }, serverIds: [gid("Server", hostId)] } }, server.adminToken);
      expect(result.data.deploy.__typename, repository).toBe("ValidationError");
      expect(result.data.deploy.fieldErrors[0].message).toMatch(/cannot be reached from Slipway/);
    }
    for (const host of ["127.0.0.1", "10.213.0.5", "169.254.169.254", "localhost"]) {
      const result = await server.gql(ADOPT, { input: { name: "probe", host, sshPort: 22 } }, server.adminToken);
      expect(result.data.adoptServer.__typename, host).toBe("ValidationError");
      expect(result.data.adoptServer.fieldErrors).toEqual([{ path: ["host"], message: expect.stringMatching(/cannot be reached from Slipway/) }]);
    }
    expect(await server.app.deps.db.deployment.count()).toBe(before);
    expect(await server.app.deps.db.server.count({ where: { name: "probe" } })).toBe(0);
  });

  it("lets an admin allow private targets (the lab does), and only an admin", async () => {
    const member = await server.app.deps.db.user.create({ data: { email: "m@example.test", name: "m", role: "MEMBER", passwordHash: (await server.app.deps.db.user.findFirstOrThrow()).passwordHash } });
    void member;
    const memberSession = (await server.gql(`mutation { login(input: {email: "m@example.test", password: "${ADMIN.password}"}) { ... on MutationLoginSuccess { data { token } } } }`)).data.login.data.token;
    expect((await server.gql(`mutation { setNetworkPolicy(allowPrivateTargets: true) { allowPrivateTargets } }`, {}, memberSession)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const allowed = await server.gql(`mutation { setNetworkPolicy(allowPrivateTargets: true) { allowPrivateTargets } }`, {}, server.adminToken);
    expect(allowed.data.setNetworkPolicy.allowPrivateTargets).toBe(true);
    const result = await server.gql(DEPLOY, { input: { serviceId, source: { type: "GIT", repository: "https://127.0.0.1/x.git", ref: "main" }, serverIds: [gid("Server", hostId)] } }, server.adminToken);
    expect(result.data.deploy.__typename).toBe("MutationDeploySuccess");
    await collect(server.ws(server.adminToken), `subscription($id: ID!) { operationEvents(operationId: $id) { seq } }`, { id: result.data.deploy.data.operation.id }).done;
    await server.gql(`mutation { setNetworkPolicy(allowPrivateTargets: false) { allowPrivateTargets } }`, {}, server.adminToken);
  });

  it("refuses repository hosts and users that start with '-'", async () => {
    for (const repository of ["https://-oProxyCommand=touch/x.git", "ssh://-oProxyCommand=x@host.example/x.git", "-u@host.example:x.git", "git@-host.example:x.git"]) {
      const result = await server.gql(DEPLOY, { input: { serviceId, source: { type: "GIT", repository, ref: "main" }, serverIds: [gid("Server", hostId)] } }, server.adminToken);
      expect(result.data.deploy.__typename, repository).toBe("ValidationError");
    }
  });

  it("gives git a minimal environment, never the control plane's secrets", () => {
    const env = gitEnvironment({ PATH: "/usr/bin", DATABASE_URL: "postgresql://u:pw@db/x", SLIPWAY_SECRET_KEY: "k", AWS_SECRET_ACCESS_KEY: "a", HOME: "/root", https_proxy: "http://proxy:3128" }, "/tmp/work");
    expect(Object.keys(env).sort()).toEqual(
      ["GIT_ASKPASS", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "GIT_SSH_COMMAND", "GIT_TERMINAL_PROMPT", "HOME", "LC_ALL", "PATH", "SSH_ASKPASS", "https_proxy"].sort(),
    );
    expect(env.HOME).toBe("/tmp/work");
  });
});

describe("finding 9: what is stored and logged", () => {
  it("stores a failed deployment's error with its secrets redacted", async () => {
    await server.gql(`mutation($s: ID!) { setServiceEnv(serviceId: $s, vars: [{key: "DB_PASSWORD", value: "hunter2-very-secret", secret: true}]) { __typename } }`, { s: serviceId }, server.adminToken);
    gateway.failReleaseOn.add(hostId);
    gateway.failureMessage = "container exited: could not connect with password hunter2-very-secret";
    const started = await server.gql(DEPLOY, { input: { serviceId, source: { type: "IMAGE", image: "registry.test/edge:1" }, serverIds: [gid("Server", hostId)] } }, server.adminToken);
    await collect(server.ws(server.adminToken), `subscription($id: ID!) { operationEvents(operationId: $id) { seq } }`, { id: started.data.deploy.data.operation.id }).done;
    gateway.failReleaseOn.clear();
    const deployment = await server.app.deps.db.deployment.findUniqueOrThrow({ where: { id: rawId(started.data.deploy.data.deployment.id) } });
    expect(deployment.status).toBe("FAILED");
    expect(deployment.error).toContain("[redacted]");
    expect(deployment.error).not.toContain("hunter2");
  });

  it("refuses to delete a server a deployment is releasing to", async () => {
    const db = server.app.deps.db;
    const deployment = await db.deployment.create({
      data: {
        serviceId: rawId(serviceId), status: "DEPLOYING", sourceType: "IMAGE", sourceRef: "x", imageTag: "x:1", port: 3000, healthCheckPath: "/",
        healthCheckTimeoutSeconds: 30, domains: [], envCiphertext: "", targets: { create: [{ serverId: hostId }] },
      },
    });
    const result = await server.gql(`mutation($id: ID!) { deleteServer(id: $id) { __typename ... on Error { message } } }`, { id: gid("Server", hostId) }, server.adminToken);
    expect(result.data.deleteServer).toMatchObject({ __typename: "ConflictError", message: expect.stringContaining(deployment.id) });
    expect((await db.server.findUniqueOrThrow({ where: { id: hostId } })).status).toBe("ACTIVE");
    await db.deployment.update({ where: { id: deployment.id }, data: { status: "FAILED" } });
  });

  it("makes the SQLite files the owner's only, whoever made the data folder", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "slipway-perm-"));
    chmodSync(dir, 0o755);
    const previous = process.umask(0o022);
    try {
      const database = await freshTestDatabase(dir, "sqlite");
      const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", SLIPWAY_DATA_DIR: dir, DATABASE_URL: database.url });
      const app = await buildApp(config, { log: pino({ level: "silent" }) });
      for (const name of ["slipway.db", "slipway.db-wal"]) expect((statSync(path.join(dir, name)).mode & 0o777).toString(8), name).toBe("600");
      await app.stop();
    } finally {
      process.umask(previous);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("logs refusals (UNAUTHENTICATED, FORBIDDEN) below error level and without stacks", async () => {
    const lines: { level: number; msg: string; err?: { stack?: string } }[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => void (lines.push(...chunk.toString().trim().split("\n").map((l: string) => JSON.parse(l))), done()) });
    const dir = mkdtempSync(path.join(tmpdir(), "slipway-log-"));
    mkdirSync(dir, { recursive: true });
    const database = await freshTestDatabase(dir);
    const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", SLIPWAY_DATA_DIR: dir, DATABASE_URL: database.url, SLIPWAY_ADMIN_EMAIL: ADMIN.email, SLIPWAY_ADMIN_PASSWORD: ADMIN.password });
    const app = await buildApp(config, { log: pino({ level: "debug" }, sink) });
    await app.start();
    try {
      for (let i = 0; i < 5; i++) {
        await (await request(app.url, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer slwt_nope" }, body: JSON.stringify({ query: "{ projects { totalCount } }" }) })).body.dump();
        await (await request(app.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "mutation { createProject(input: {name: \"x\"}) { __typename } }" }) })).body.dump();
      }
      const loud = lines.filter((l) => l.level >= 50);
      expect(loud).toEqual([]);
      expect(lines.some((l) => l.err?.stack)).toBe(false);
    } finally {
      await app.stop();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
