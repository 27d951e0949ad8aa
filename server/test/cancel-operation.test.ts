// cancelOperation end to end: a real control plane (SQLite, or PostgreSQL with
// SLIPWAY_TEST_DATABASE=postgresql), the API over HTTP, and a recording server gateway whose
// releases the test can hold, so a cancel lands while a deploy is mid-release.
import type { ReleaseRequestInput, ReleaseResult } from "@slipway/agent/protocol";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LineSink } from "../src/domain/ports.js";
import { collect, gid, login, rawId, startTestServer, type TestServer } from "./harness.js";
import { RecordingGateway } from "./recording-gateway.js";

const DEPLOY = `mutation($input: DeployInput!) { deploy(input: $input) {
  __typename ... on MutationDeploySuccess { data { deployment { id imageTag } operation { id } } } ... on Error { message } } }`;
const CANCEL = `mutation($id: ID!) { cancelOperation(id: $id) {
  __typename ... on MutationCancelOperationSuccess { data { id status cancelRequestedAt } } ... on Error { message } } }`;
const CANCEL_DEPLOYMENT = `mutation($id: ID!) { cancelDeployment(id: $id) {
  __typename ... on MutationCancelDeploymentSuccess { data { id status } } ... on Error { message } } }`;
const EVENTS = `subscription($id: ID!) { operationEvents(operationId: $id) { seq step level message } }`;
const DEPLOYMENT = `query($id: ID!) { node(id: $id) { ... on Deployment { status error targets { server { name } state } } } }`;

/** Holds the releases of the servers in `holding` until the test lets them go. */
class HoldingGateway extends RecordingGateway {
  readonly holding = new Set<string>();
  private readonly held: (() => void)[] = [];

  get heldCount(): number {
    return this.held.length;
  }

  letGo(): void {
    this.holding.clear();
    for (const go of this.held.splice(0)) go();
  }

  override async release(serverId: string, request: ReleaseRequestInput, onLine: LineSink): Promise<ReleaseResult> {
    if (this.holding.has(serverId)) await new Promise<void>((resolve) => this.held.push(resolve));
    return super.release(serverId, request, onLine);
  }
}

let server: TestServer;
let gateway: HoldingGateway;
const serverIds: string[] = [];
const services: Record<"web" | "api", string> = { web: "", api: "" };

beforeAll(async () => {
  gateway = new HoldingGateway();
  // One operation at a time, so a second deploy waits QUEUED behind a held one.
  server = await startTestServer({ SLIPWAY_OPERATION_CONCURRENCY: "1", SLIPWAY_OPERATION_LEASE_SECONDS: "2" }, undefined, { servers: gateway });
  const { db } = server.app.deps;
  for (const name of ["a", "b"]) serverIds.push((await db.server.create({ data: { name: `host-${name}`, kind: "SSH_HOST", status: "ACTIVE", managed: false } })).id);
  const project = await server.gql(`mutation { createProject(input: {name: "shop"}) { ... on MutationCreateProjectSuccess { data { id } } } }`, {}, server.adminToken);
  for (const name of ["web", "api"] as const) {
    const service = await server.gql(
      `mutation($p: ID!, $n: String!) { createService(input: {projectId: $p, name: $n, port: 8080}) { ... on MutationCreateServiceSuccess { data { id } } } }`,
      { p: project.data.createProject.data.id, n: name },
      server.adminToken,
    );
    services[name] = service.data.createService.data.id;
  }
});
afterAll(async () => server?.stop());
beforeEach(() => {
  gateway.calls.length = 0;
});

async function deploy(service: keyof typeof services, image: string): Promise<{ deploymentId: string; operationId: string; imageTag: string }> {
  const result = await server.gql(
    DEPLOY,
    { input: { serviceId: services[service], source: { type: "IMAGE", image }, serverIds: serverIds.map((id) => gid("Server", id)) } },
    server.adminToken,
  );
  expect(result.data.deploy.__typename).toBe("MutationDeploySuccess");
  const { deployment, operation } = result.data.deploy.data;
  return { deploymentId: deployment.id, operationId: operation.id, imageTag: deployment.imageTag };
}

const cancel = (operationId: string, token = server.adminToken) => server.gql(CANCEL, { id: operationId }, token);

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting until ${what}`);
}

function operationRow(operationId: string) {
  return server.app.deps.db.operation.findUniqueOrThrow({ where: { id: rawId(operationId) } });
}

async function eventsOf(operationId: string) {
  return server.app.deps.db.operationEvent.findMany({ where: { operationId: rawId(operationId) }, orderBy: { seq: "asc" } });
}

async function followToEnd(operationId: string) {
  const { values, errors } = await collect<{ operationEvents: { seq: number; step: string; level: string; message: string } }>(
    server.ws(server.adminToken), EVENTS, { id: operationId },
  ).done;
  expect(errors).toEqual([]);
  return values.map((v) => v.operationEvents);
}

async function endsAs(operationId: string, status: string) {
  await until(`the operation is ${status}`, async () => (await operationRow(operationId)).status === status);
}

describe("cancelOperation", () => {
  let live: { deploymentId: string; operationId: string; imageTag: string };

  it("stops a running deploy mid-release: CANCELLED, every switched server put back, the service free to deploy again", async () => {
    live = await deploy("web", "registry.test/shop/web:1");
    await endsAs(live.operationId, "SUCCEEDED");
    gateway.calls.length = 0;

    gateway.holding.add(serverIds[1]!);
    const second = await deploy("web", "registry.test/shop/web:2");
    await until("host-b's release is under way", () => gateway.heldCount === 1);
    // A double click: both requests are accepted, and the request is recorded once.
    const [one, two] = await Promise.all([cancel(second.operationId), cancel(second.operationId)]);
    expect(one.data.cancelOperation.__typename).toBe("MutationCancelOperationSuccess");
    expect(two.data.cancelOperation).toEqual(one.data.cancelOperation);
    expect(one.data.cancelOperation.data).toMatchObject({ id: second.operationId, status: "RUNNING" });
    expect(one.data.cancelOperation.data.cancelRequestedAt).not.toBeNull();

    await until("the run noticed the request", async () => (await eventsOf(second.operationId)).some((e) => e.message === "Stopping at the next safe point"));
    gateway.letGo();
    const events = await followToEnd(second.operationId);

    expect((await operationRow(second.operationId)).status).toBe("CANCELLED");
    const deployment = (await server.gql(DEPLOYMENT, { id: second.deploymentId }, server.adminToken)).data.node;
    expect(deployment.status).toBe("CANCELLED");
    expect(deployment.error).toBe("Cancelled");
    expect(deployment.targets.map((t: { server: { name: string }; state: string }) => [t.server.name, t.state]).sort()).toEqual([
      ["host-a", "REVERTED"],
      ["host-b", "REVERTED"],
    ]);
    // Each server was switched to the new release, then back to the one it ran before.
    const releases = gateway.calls.filter((c) => c.kind === "release").map((c) => [c.serverId, c.image]);
    expect(releases.filter(([, image]) => image === live.imageTag).map(([id]) => id).sort()).toEqual([...serverIds].sort());
    for (const id of serverIds) expect(gateway.imageOn(id, "shop--web")).toBe(live.imageTag);

    expect(events.filter((e) => e.step === "cancel").map((e) => e.message)).toEqual(["Cancel requested by Administrator", "Stopping at the next safe point"]);
    expect(events.at(-1)).toMatchObject({ step: "finished", level: "WARN", message: "Cancelled" });

    const third = await deploy("web", "registry.test/shop/web:3");
    await endsAs(third.operationId, "SUCCEEDED");
    live = third;
  });

  it("ends a queued deploy at once, with its deployment, before anything ran; twice asked, once done", async () => {
    gateway.holding.add(serverIds[0]!);
    const running = await deploy("web", "registry.test/shop/web:4");
    await until("the web deploy holds the only operation slot", () => gateway.heldCount === 1);
    const queued = await deploy("api", "registry.test/shop/api:1");
    expect((await operationRow(queued.operationId)).status).toBe("QUEUED");
    const follower = collect<{ operationEvents: { seq: number; step: string; level: string; message: string } }>(server.ws(server.adminToken), EVENTS, { id: queued.operationId });

    const [one, two] = await Promise.all([cancel(queued.operationId), cancel(queued.operationId)]);
    expect(one.data.cancelOperation.data).toMatchObject({ id: queued.operationId, status: "CANCELLED" });
    expect(two.data.cancelOperation).toEqual(one.data.cancelOperation);

    const ended = await follower.done;
    expect(ended.values.map((v) => v.operationEvents)).toEqual([
      { seq: 1, step: "finished", level: "WARN", message: "Cancelled by Administrator before it started" },
    ]);
    const deployment = (await server.gql(DEPLOYMENT, { id: queued.deploymentId }, server.adminToken)).data.node;
    expect(deployment).toMatchObject({ status: "CANCELLED", error: "Cancelled by Administrator before it started" });
    expect(deployment.targets.map((t: { state: string }) => t.state)).toEqual(["FAILED", "FAILED"]);
    const api = await server.app.deps.db.service.findUniqueOrThrow({ where: { id: rawId(services.api) } });
    expect(api.activeDeploymentId).toBeNull();

    gateway.letGo();
    await endsAs(running.operationId, "SUCCEEDED");
    live = running;
    // The queued one never reached a server, even once a slot was free.
    expect(gateway.calls.some((c) => "tag" in c && c.tag === queued.imageTag)).toBe(false);
    expect((await operationRow(queued.operationId)).status).toBe("CANCELLED");
  });

  it("cancels by the deployment's id too (cancelDeployment answers its operation)", async () => {
    gateway.holding.add(serverIds[0]!);
    const running = await deploy("web", "registry.test/shop/web:6");
    await until("the web deploy holds the only operation slot", () => gateway.heldCount === 1);
    const queued = await deploy("api", "registry.test/shop/api:2");
    const result = await server.gql(CANCEL_DEPLOYMENT, { id: queued.deploymentId }, server.adminToken);
    expect(result.data.cancelDeployment).toEqual({ __typename: "MutationCancelDeploymentSuccess", data: { id: queued.operationId, status: "CANCELLED" } });
    const unknown = await server.gql(CANCEL_DEPLOYMENT, { id: gid("Deployment", "00000000-0000-4000-8000-000000000000") }, server.adminToken);
    expect(unknown.data.cancelDeployment).toEqual({ __typename: "NotFoundError", message: "Deployment was not found" });
    gateway.letGo();
    await endsAs(running.operationId, "SUCCEEDED");
    live = running;
  });

  it("refuses an operation that already ended, and leaves it as it was", async () => {
    const before = await operationRow(live.operationId);
    const result = await cancel(live.operationId);
    expect(result.data.cancelOperation).toEqual({ __typename: "ConflictError", message: "The operation has already ended (succeeded); there is nothing to cancel" });
    expect(await operationRow(live.operationId)).toEqual(before);
  });

  it("refuses a kind of operation that cannot stop safely, and an unknown id", async () => {
    const provisioning = await server.app.deps.db.operation.create({
      data: { kind: "PROVISION", handler: "provision-servers", title: "Provision 2 servers", status: "RUNNING", ownerId: "another-replica", heartbeatAt: new Date() },
    });
    const result = await cancel(gid("Operation", provisioning.id));
    expect(result.data.cancelOperation).toEqual({ __typename: "ConflictError", message: "A provision operation cannot be stopped safely half-way; it runs to its end" });
    expect((await server.app.deps.db.operation.findUniqueOrThrow({ where: { id: provisioning.id } })).cancelRequestedAt).toBeNull();
    await server.app.deps.db.operation.update({ where: { id: provisioning.id }, data: { status: "FAILED", ownerId: null } });

    const unknown = await cancel(gid("Operation", "00000000-0000-4000-8000-000000000000"));
    expect(unknown.data.cancelOperation).toEqual({ __typename: "NotFoundError", message: "Operation was not found" });
  });

  it("refuses a viewer, a token without the deploy scope and a revoked token; each refusal is audited and changes nothing", async () => {
    gateway.holding.add(serverIds[0]!);
    const running = await deploy("web", "registry.test/shop/web:5");
    await until("the deploy is mid-release", () => gateway.heldCount === 1);

    const created = await server.gql(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { __typename } }`,
      { input: { email: "watcher@example.test", name: "Watcher", password: "watcher-password-long", role: "VIEWER" } },
      server.adminToken,
    );
    expect(created.data.createUser.__typename).toBe("MutationCreateUserSuccess");
    const viewer = await login(server, "watcher@example.test", "watcher-password-long");
    const token = async (scopes: string[]) =>
      (await server.gql(
        `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { ... on MutationCreateApiTokenSuccess { data { token apiToken { id } } } } }`,
        { input: { name: scopes.join(" "), scopes } },
        server.adminToken,
      )).data.createApiToken.data as { token: string; apiToken: { id: string } };
    const readOnly = await token(["read"]);
    const revoked = await token(["read", "deploy"]);
    await server.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }`, { id: revoked.apiToken.id }, server.adminToken);

    for (const [who, bearer, code] of [["viewer", viewer, "FORBIDDEN"], ["read-only token", readOnly.token, "FORBIDDEN"], ["revoked token", revoked.token, "UNAUTHENTICATED"]] as const) {
      const refused = await cancel(running.operationId, bearer);
      expect(refused.errors?.[0]?.extensions?.code, who).toBe(code);
    }
    expect(await operationRow(running.operationId)).toMatchObject({ status: "RUNNING", cancelRequestedAt: null });
    const audit = await server.app.deps.db.auditLogEntry.findMany({ where: { action: "cancelOperation" }, orderBy: { createdAt: "asc" } });
    expect(audit.map((entry) => entry.outcome).slice(-3)).toEqual(["FORBIDDEN", "FORBIDDEN", "UNAUTHENTICATED"]);
    expect(audit.filter((entry) => entry.outcome === "ok").length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain(revoked.token);

    gateway.letGo();
    await endsAs(running.operationId, "SUCCEEDED");
  });
});
