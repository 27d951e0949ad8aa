// Issue 11, findings 1, 7 and 8: secrets stay secret through env edits, one deployment of a
// service at a time (enforced by the database), and names on servers that no two services share.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeployment } from "../src/domain/deployments/create-deployment.js";
import { collect, gid, rawId, startTestServer, viewerFor, type TestServer } from "./harness.js";
import { RecordingGateway } from "./recording-gateway.js";
import { freshTestDatabase, TEST_PROVIDER } from "./test-database.js";

const SET_ENV = `mutation($s: ID!, $v: [EnvVarInput!]!) { setServiceEnv(serviceId: $s, vars: $v) {
  __typename ... on MutationSetServiceEnvSuccess { data { envVars { key value secret } } } ... on ValidationError { message fieldErrors { path message } } } }`;
const DEPLOY = `mutation($input: DeployInput!) { deploy(input: $input) {
  __typename ... on MutationDeploySuccess { data { deployment { id status } operation { id } } } ... on Error { message } } }`;
const ROLLBACK = `mutation($id: ID!) { rollback(deploymentId: $id) {
  __typename ... on MutationRollbackSuccess { data { deployment { id status } operation { id } } } ... on Error { message } } }`;

/** Holds every pull until the test lets it go, so deployments stay in progress while it races them. */
class GatedGateway extends RecordingGateway {
  private gate: Promise<void> = Promise.resolve();
  private openGate = () => {};
  names: string[] = [];

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  letGo(): void {
    this.openGate();
  }

  override async pullImage(serverId: string, r: { image: string; tag: string; service: string; deployment: string }) {
    this.names.push(r.service);
    await this.gate;
    return super.pullImage(serverId, r);
  }
}

let server: TestServer;
let gateway: GatedGateway;
let serverId: string;

beforeAll(async () => {
  gateway = new GatedGateway();
  server = await startTestServer({}, undefined, { servers: gateway });
  serverId = (await server.app.deps.db.server.create({ data: { name: "host-a", kind: "SSH_HOST", status: "ACTIVE", managed: false } })).id;
});
afterAll(async () => {
  gateway?.letGo();
  await server?.stop();
});

async function createService(project: string, name: string): Promise<string> {
  const existing = await server.app.deps.db.project.findUnique({ where: { name: project } });
  const projectId = existing
    ? gid("Project", existing.id)
    : (await server.gql(`mutation($n: String!) { createProject(input: {name: $n}) { ... on MutationCreateProjectSuccess { data { id } } } }`, { n: project }, server.adminToken)).data
        .createProject.data.id;
  const service = await server.gql(
    `mutation($p: ID!, $n: String!) { createService(input: {projectId: $p, name: $n}) { __typename ... on MutationCreateServiceSuccess { data { id } } } }`,
    { p: projectId, n: name },
    server.adminToken,
  );
  return service.data.createService.data.id;
}

const deploy = (serviceId: string, image = "registry.test/app:1") =>
  server.gql(DEPLOY, { input: { serviceId, source: { type: "IMAGE", image }, serverIds: [gid("Server", serverId)] } }, server.adminToken);

async function finished(operationId: string): Promise<void> {
  await collect(server.ws(server.adminToken), `subscription($id: ID!) { operationEvents(operationId: $id) { seq } }`, { id: operationId }).done;
}

describe("finding 1: secret env values can be read back", () => {
  it("refuses to turn a stored secret into a plain variable without a new value, and never shows it", async () => {
    const serviceId = await createService("env", "api");
    await server.gql(SET_ENV, { s: serviceId, v: [{ key: "API_KEY", value: "sk_live_do_not_show", secret: true }] }, server.adminToken);
    const { db } = server.app.deps;
    const before = await db.serviceEnvVar.findFirstOrThrow({ where: { key: "API_KEY" } });

    const unveil = await server.gql(SET_ENV, { s: serviceId, v: [{ key: "API_KEY", secret: false }] }, server.adminToken);
    expect(JSON.stringify(unveil)).not.toContain("sk_live_do_not_show");
    expect(unveil.data.setServiceEnv.__typename).toBe("ValidationError");
    expect(unveil.data.setServiceEnv.fieldErrors).toEqual([{ path: ["vars", "API_KEY"], message: expect.stringMatching(/new value/) }]);
    expect(await db.serviceEnvVar.findFirstOrThrow({ where: { key: "API_KEY" } })).toEqual(before);

    // With a new value it becomes plain, and only the new value is ever shown.
    const replaced = await server.gql(SET_ENV, { s: serviceId, v: [{ key: "API_KEY", value: "now-public", secret: false }] }, server.adminToken);
    expect(replaced.data.setServiceEnv.data.envVars).toEqual([{ key: "API_KEY", value: "now-public", secret: false }]);
  });

  it("keeps key names and secret flags in the audit entry, never values", async () => {
    const entries = await server.app.deps.db.auditLogEntry.findMany({ where: { action: "setServiceEnv" }, orderBy: { createdAt: "asc" } });
    expect(entries.map((e) => e.outcome)).toEqual(["ok", "VALIDATION", "ok"]);
    expect(entries[1]!.details).toEqual({ serviceId: expect.anything(), vars: [{ key: "API_KEY", secret: false }] });
    expect(entries[0]!.details).toMatchObject({ vars: [{ key: "API_KEY", secret: true, value: "[redacted]" }] });
    expect(JSON.stringify(entries)).not.toMatch(/sk_live_do_not_show|now-public/);
  });
});

describe("finding 7: concurrent deploys of one service", () => {
  it("four parallel deploys give one QUEUED deployment and three conflicts naming it", async () => {
    const serviceId = await createService("race", "web");
    gateway.hold();
    const results = await Promise.all([1, 2, 3, 4].map((i) => deploy(serviceId, `registry.test/race:${i}`)));
    const started = results.filter((r) => r.data.deploy.__typename === "MutationDeploySuccess");
    const refused = results.filter((r) => r.data.deploy.__typename === "ConflictError");
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(3);
    const running = rawId(started[0]!.data.deploy.data.deployment.id);
    for (const r of refused) expect(r.data.deploy.message).toContain(running);
    expect(await server.app.deps.db.deployment.count({ where: { serviceId: rawId(serviceId) } })).toBe(1);

    // Rollback is held to the same rule.
    gateway.letGo();
    await finished(started[0]!.data.deploy.data.operation.id);
    const second = (await deploy(serviceId, "registry.test/race:5")).data.deploy;
    await finished(second.data.operation.id);
    gateway.hold();
    const third = (await deploy(serviceId, "registry.test/race:6")).data.deploy;
    const rollbacks = await Promise.all([1, 2].map(() => server.gql(ROLLBACK, { id: started[0]!.data.deploy.data.deployment.id }, server.adminToken)));
    expect(rollbacks.map((r) => r.data.rollback.__typename)).toEqual(["ConflictError", "ConflictError"]);
    expect(rollbacks[0]!.data.rollback.message).toContain(rawId(third.data.deployment.id));
    gateway.letGo();
    await finished(third.data.operation.id);
    const rolled = await server.gql(ROLLBACK, { id: started[0]!.data.deploy.data.deployment.id }, server.adminToken);
    expect(rolled.data.rollback.__typename).toBe("MutationRollbackSuccess");
    await finished(rolled.data.rollback.data.operation.id);
  });

  it("queues claims made in the same instant: one deployment, a ConflictError for every other, never a deadlock", async () => {
    // Called side by side in one process, the claims' transactions overlap far more than four
    // HTTP requests do. On PostgreSQL each used to hold a key-share lock on the service row (its
    // deployment refers to it) while waiting for the others' to claim: a deadlock, one aborted.
    const { deps } = server.app;
    const viewer = await viewerFor(server, server.adminToken);
    const operations: string[] = [];
    gateway.hold();
    for (let round = 0; round < 5; round++) {
      const serviceId = rawId(await createService("same-instant", `web-${round}`));
      const input = { serviceId, source: { type: "IMAGE", image: `registry.test/same:${round}` }, serverIds: [serverId] };
      const outcomes = await Promise.allSettled([1, 2, 3, 4].map(() => createDeployment(deps, viewer, input)));
      const started = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
      const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as Error] : []));
      expect(started, `round ${round}: ${refused.map((e) => e.message).join("; ")}`).toHaveLength(1);
      expect(refused.map((e) => e.constructor.name)).toEqual(["ConflictError", "ConflictError", "ConflictError"]);
      for (const error of refused) expect(error.message).toContain(started[0]!.deployment.id);
      expect(await deps.db.deployment.count({ where: { serviceId } })).toBe(1);
      operations.push(started[0]!.operation.id);
    }
    gateway.letGo();
    for (const id of operations) await finished(gid("Operation", id));
  });

  it("gives the slot back however a deployment ends: failed, cancelled, interrupted", async () => {
    const serviceId = await createService("slot", "web");
    const { db } = server.app.deps;
    const slot = async () => (await db.service.findUniqueOrThrow({ where: { id: rawId(serviceId) } })).activeDeploymentId;

    gateway.failReleaseOn.add(serverId);
    gateway.hold();
    const failed = (await deploy(serviceId)).data.deploy;
    expect(await slot()).toBe(rawId(failed.data.deployment.id));
    gateway.letGo();
    await finished(failed.data.operation.id);
    gateway.failReleaseOn.clear();
    expect((await db.deployment.findUniqueOrThrow({ where: { id: rawId(failed.data.deployment.id) } })).status).toBe("FAILED");
    expect(await slot()).toBeNull();

    // Cancelled before it ran: its deployment never left QUEUED, yet the slot is free again.
    gateway.hold();
    const blocker = (await deploy(serviceId)).data.deploy;
    await db.operation.update({ where: { id: rawId(blocker.data.operation.id) }, data: { status: "CANCELLED", finishedAt: new Date() } });
    const after = (await deploy(serviceId)).data.deploy;
    expect(after.__typename).toBe("MutationDeploySuccess");
    // Interrupted (a replica died): the recovery ends it INTERRUPTED through setStatus, which frees the slot.
    // (Once its run has reached the held pull, so the run does not overwrite the status.)
    const afterId = rawId(after.data.deployment.id);
    for (let i = 0; i < 200 && (await db.deployment.findUniqueOrThrow({ where: { id: afterId } })).status !== "BUILDING"; i++) await new Promise((r) => setTimeout(r, 25));
    await db.deployment.update({ where: { id: afterId }, data: { status: "INTERRUPTED" } });
    expect((await deploy(serviceId)).data.deploy.__typename).toBe("MutationDeploySuccess");
    gateway.letGo();
  });
});

describe("finding 8: two services share names on servers", () => {
  it("gives acme-api/web and acme/api-web different names on their servers", async () => {
    const a = await createService("acme-api", "web");
    const b = await createService("acme", "api-web");
    gateway.names.length = 0;
    gateway.letGo();
    for (const serviceId of [a, b]) await finished((await deploy(serviceId)).data.deploy.data.operation.id);
    expect(gateway.names.filter((name) => name.startsWith("acme"))).toEqual(["acme-api--web", "acme--api-web"]);
    const released = gateway.calls.filter((c) => c.kind === "pull").slice(-2);
    expect(new Set(released.map((c) => (c as { tag: string }).tag)).size).toBe(2);
  });

  it("migrates existing services: each keeps its name where unique, the ones that collided get distinct ones", async () => {
    const names = await migratedAgentNames([
      ["acme-api", "web"],
      ["acme", "api-web"],
      ["shop", "site"],
    ]);
    expect(names).toEqual({ "acme-api/web": "acme-api--web", "acme/api-web": "acme--api-web", "shop/site": "shop-site" });
  });
});

/**
 * Applies every migration before teams_and_trust to a fresh database, adds services the way the
 * old code named them, applies teams_and_trust, and reads back each service's agentName.
 */
async function migratedAgentNames(services: [string, string][]): Promise<Record<string, string>> {
  const dir = path.resolve(import.meta.dirname, "../../prisma/migrations", TEST_PROVIDER);
  const migrations = readdirSync(dir).filter((name) => /^\d{14}_/.test(name)).sort();
  const last = migrations.findIndex((name) => name.endsWith("_teams_and_trust"));
  expect(last).toBeGreaterThan(0);
  const sql = (name: string) => readFileSync(path.join(dir, name, "migration.sql"), "utf8");
  const rows = services.map(([project, service], i) => ({ projectId: `p-${project}`, project, id: `s-${i}`, service }));
  const seed = (q: (text: string, values: unknown[]) => unknown) => {
    const inserts: Promise<unknown>[] = [];
    for (const project of new Set(rows.map((r) => r.project))) {
      inserts.push(Promise.resolve(q(`INSERT INTO "Project" ("id", "name", "updatedAt") VALUES ($1, $2, CURRENT_TIMESTAMP)`, [`p-${project}`, project])));
    }
    return Promise.all(inserts).then(() =>
      Promise.all(rows.map((r) => q(`INSERT INTO "Service" ("id", "projectId", "name", "imageBase", "updatedAt") VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)`, [r.id, r.projectId, r.service, `slipway/${r.project}-${r.service}`]))),
    );
  };
  const names: Record<string, string> = {};
  if (TEST_PROVIDER === "sqlite") {
    const db = new Database(":memory:");
    for (const name of migrations.slice(0, last)) db.exec(sql(name));
    await seed((text, values) => db.prepare(text.replace(/\$\d+/g, "?")).run(...(values as string[])));
    db.exec(sql(migrations[last]!));
    for (const row of db.prepare(`SELECT p."name" AS project, s."name" AS service, s."agentName" AS agent FROM "Service" s JOIN "Project" p ON p."id" = s."projectId"`).all() as { project: string; service: string; agent: string }[]) {
      names[`${row.project}/${row.service}`] = row.agent;
    }
    db.close();
    return names;
  }
  const database = await freshTestDatabase(server.dataDir, "postgresql");
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    for (const name of migrations.slice(0, last)) await client.query(sql(name));
    await seed((text, values) => client.query(text, values));
    await client.query(sql(migrations[last]!));
    const result = await client.query(`SELECT p."name" AS project, s."name" AS service, s."agentName" AS agent FROM "Service" s JOIN "Project" p ON p."id" = s."projectId"`);
    for (const row of result.rows as { project: string; service: string; agent: string }[]) names[`${row.project}/${row.service}`] = row.agent;
  } finally {
    await client.end();
    await database.drop();
  }
  return names;
}
