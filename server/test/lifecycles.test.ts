// Renaming and deleting projects and services, and editing how a service runs: through the API,
// with the recording gateway standing in for the servers (a rename must not orphan what runs).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, gid, rawId, startTestServer, type TestServer } from "./harness.js";
import { RecordingGateway } from "./recording-gateway.js";

let server: TestServer;
let gateway: RecordingGateway;
let hostId: string;

beforeAll(async () => {
  gateway = new RecordingGateway();
  server = await startTestServer({}, undefined, { servers: gateway });
  hostId = (await server.app.deps.db.server.create({ data: { name: "host-a", kind: "SSH_HOST", status: "ACTIVE", managed: false } })).id;
});
afterAll(() => server?.stop());

const gql = (query: string, variables: Record<string, unknown> = {}) => server.gql(query, variables, server.adminToken);

async function createProject(name: string): Promise<string> {
  const r = await gql(`mutation($n: String!) { createProject(input: {name: $n}) { ... on MutationCreateProjectSuccess { data { id } } } }`, { n: name });
  return r.data.createProject.data.id;
}

async function createService(projectId: string, name: string): Promise<string> {
  const r = await gql(
    `mutation($p: ID!, $n: String!) { createService(input: {projectId: $p, name: $n}) { ... on MutationCreateServiceSuccess { data { id } } } }`,
    { p: projectId, n: name },
  );
  return r.data.createService.data.id;
}

const UPDATE_PROJECT = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) {
  __typename ... on MutationUpdateProjectSuccess { data { name description } } ... on Error { message } ... on ValidationError { fieldErrors { path message } } } }`;
const DELETE_PROJECT = `mutation($id: ID!) { deleteProject(id: $id) { __typename ... on MutationDeleteProjectSuccess { data { id name } } ... on Error { message } } }`;
const UPDATE_SERVICE = `mutation($input: UpdateServiceInput!) { updateService(input: $input) {
  __typename ... on MutationUpdateServiceSuccess { data { name port healthCheckPath healthCheckTimeoutSeconds healthCheckIntervalMs drainTimeoutSeconds imageBase } }
  ... on Error { message } ... on ValidationError { fieldErrors { path message } } } }`;
const DELETE_SERVICE = `mutation($id: ID!) { deleteService(id: $id) {
  __typename ... on MutationDeleteServiceSuccess { data { id removed { servers { serverName } dnsHostnames } } } ... on Error { message } } }`;
const REMOVAL = `query($id: ID!) { node(id: $id) { ... on Service { removal { blockedBy dnsHostnames servers { serverId serverName agentName images } } } } }`;

describe("projects", () => {
  it("renames a project and changes its description; a taken or bad name changes nothing", async () => {
    const id = await createProject("alpha");
    await createProject("beta");
    expect((await gql(UPDATE_PROJECT, { input: { id, name: "gamma", description: "The new one." } })).data.updateProject).toEqual({
      __typename: "MutationUpdateProjectSuccess",
      data: { name: "gamma", description: "The new one." },
    });
    expect((await gql(UPDATE_PROJECT, { input: { id, name: "beta" } })).data.updateProject).toEqual({
      __typename: "ConflictError",
      message: 'A project named "beta" already exists',
    });
    const bad = (await gql(UPDATE_PROJECT, { input: { id, name: "Not OK" } })).data.updateProject;
    expect(bad.__typename).toBe("ValidationError");
    expect(bad.fieldErrors).toEqual([{ path: ["name"], message: expect.stringMatching(/lowercase/) }]);
    const unknown = await gql(UPDATE_PROJECT, { input: { id: gid("Project", "00000000-0000-4000-8000-000000000000"), name: "x" } });
    expect(unknown.data.updateProject).toEqual({ __typename: "NotFoundError", message: "Project was not found" });
    const stored = await server.app.deps.db.project.findUniqueOrThrow({ where: { id: rawId(id) } });
    expect(stored).toMatchObject({ name: "gamma", description: "The new one." });
  });

  it("deletes an empty project; one with services is refused, naming them", async () => {
    const id = await createProject("delta");
    await createService(id, "web");
    await createService(id, "api");
    expect((await gql(DELETE_PROJECT, { id })).data.deleteProject).toEqual({
      __typename: "ConflictError",
      message: 'The project "delta" still has services (api, web): delete them first',
    });
    const empty = await createProject("epsilon");
    expect((await gql(DELETE_PROJECT, { id: empty })).data.deleteProject).toEqual({
      __typename: "MutationDeleteProjectSuccess",
      data: { id: empty, name: "epsilon" },
    });
    expect((await gql(`query($id: ID!) { project(id: $id) { id } }`, { id: empty })).data).toEqual({ project: null });
  });

  it("needs the projects:write scope and is audited", async () => {
    const id = await createProject("zeta");
    const anonymous = await server.gql(DELETE_PROJECT, { id }, null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    await gql(DELETE_PROJECT, { id });
    const audited = await server.app.deps.db.auditLogEntry.findMany({ where: { action: "deleteProject" }, orderBy: { createdAt: "asc" } });
    expect(audited.slice(-2).map((a) => a.outcome)).toEqual(["UNAUTHENTICATED", "ok"]);
  });
});

describe("services", () => {
  it("edits port, health check, drain period and name; bad values are refused field by field and change nothing", async () => {
    const projectId = await createProject("shop");
    const id = await createService(projectId, "web");
    await createService(projectId, "worker");
    const edited = await gql(UPDATE_SERVICE, {
      input: { id, name: "site", port: 8080, healthCheckPath: "/healthz", healthCheckTimeoutSeconds: 45, healthCheckIntervalMs: 500, drainTimeoutSeconds: 0 },
    });
    expect(edited.data.updateService).toEqual({
      __typename: "MutationUpdateServiceSuccess",
      // The image base keeps the first name: what runs on servers is named after it.
      data: { name: "site", port: 8080, healthCheckPath: "/healthz", healthCheckTimeoutSeconds: 45, healthCheckIntervalMs: 500, drainTimeoutSeconds: 0, imageBase: "slipway/shop-web" },
    });
    const bad = (
      await gql(UPDATE_SERVICE, {
        input: { id, name: "renamed", port: 0, healthCheckPath: "no slash", healthCheckTimeoutSeconds: 0, healthCheckIntervalMs: 10, drainTimeoutSeconds: 3601 },
      })
    ).data.updateService;
    expect(bad.__typename).toBe("ValidationError");
    expect(bad.fieldErrors.map((f: { path: string[] }) => f.path[0]).sort()).toEqual([
      "drainTimeoutSeconds", "healthCheckIntervalMs", "healthCheckPath", "healthCheckTimeoutSeconds", "port",
    ]);
    expect(bad.fieldErrors).toContainEqual({ path: ["healthCheckIntervalMs"], message: "must be at least 25 ms" });
    expect(bad.fieldErrors).toContainEqual({ path: ["drainTimeoutSeconds"], message: "must be at most 3600 seconds" });
    expect((await gql(UPDATE_SERVICE, { input: { id, name: "worker" } })).data.updateService).toEqual({
      __typename: "ConflictError",
      message: 'The project already has a service named "worker"',
    });
    const stored = await server.app.deps.db.service.findUniqueOrThrow({ where: { id: rawId(id) } });
    expect(stored).toMatchObject({ name: "site", port: 8080, healthCheckPath: "/healthz", healthCheckTimeoutSeconds: 45, healthCheckIntervalMs: 500, drainTimeoutSeconds: 0 });
  });

  it("a renamed service deploys under the name its servers already know", async () => {
    const projectId = await createProject("renamed");
    const id = await createService(projectId, "before");
    await gql(UPDATE_PROJECT, { input: { id: projectId, name: "renamed-project" } });
    await gql(UPDATE_SERVICE, { input: { id, name: "after" } });
    gateway.calls.length = 0;
    const started = await gql(
      `mutation($input: DeployInput!) { deploy(input: $input) { ... on MutationDeploySuccess { data { operation { id } } } ... on Error { message } } }`,
      { input: { serviceId: id, source: { type: "IMAGE", image: "registry.example/app:1" }, serverIds: [gid("Server", hostId)] } },
    );
    const operationId = started.data.deploy.data.operation.id;
    await collect(server.ws(server.adminToken), `subscription($id: ID!) { operationEvents(operationId: $id) { seq } }`, { id: operationId }).done;
    const release = gateway.calls.find((call) => call.kind === "release");
    expect(release).toMatchObject({ service: "renamed--before", domains: ["after.renamed-project.slipway.internal"] });
  });

  it("says what deleting removes, refuses while a deployment runs, and deletes one that ran nowhere", async () => {
    const projectId = await createProject("removal");
    const never = await createService(projectId, "never");
    expect((await gql(REMOVAL, { id: never })).data.node.removal).toEqual({ blockedBy: null, dnsHostnames: [], servers: [] });

    const deployed = await createService(projectId, "deployed");
    const { db } = server.app.deps;
    await db.serviceDomain.create({ data: { serviceId: rawId(deployed), hostname: "shop.example.com" } });
    const deployment = await db.deployment.create({
      data: {
        serviceId: rawId(deployed),
        status: "SUCCEEDED",
        sourceType: "IMAGE",
        sourceRef: "registry.example/app:1",
        imageTag: "slipway/removal-deployed:deploy_aaaaaaaa",
        port: 3000,
        healthCheckPath: "/",
        healthCheckTimeoutSeconds: 30,
        domains: ["shop.example.com"],
        envCiphertext: "",
        targets: { create: { serverId: hostId, state: "SWITCHED" } },
      },
    });
    await db.serviceServer.create({ data: { serviceId: rawId(deployed), serverId: hostId, currentDeploymentId: deployment.id } });
    expect((await gql(REMOVAL, { id: deployed })).data.node.removal).toEqual({
      blockedBy: null,
      dnsHostnames: ["shop.example.com"],
      servers: [{ serverId: gid("Server", hostId), serverName: "host-a", agentName: "removal--deployed", images: ["slipway/removal-deployed:deploy_aaaaaaaa"] }],
    });

    await db.deployment.update({ where: { id: deployment.id }, data: { status: "DEPLOYING" } });
    expect((await gql(REMOVAL, { id: deployed })).data.node.removal.blockedBy).toMatch(/A deployment of this service is running/);
    expect((await gql(DELETE_SERVICE, { id: deployed })).data.deleteService).toEqual({
      __typename: "ConflictError",
      message: "A deployment of this service is running: wait until it has finished",
    });
    expect(await db.service.count({ where: { id: rawId(deployed) } })).toBe(1);

    expect((await gql(DELETE_SERVICE, { id: never })).data.deleteService).toEqual({
      __typename: "MutationDeleteServiceSuccess",
      data: { id: never, removed: { servers: [], dnsHostnames: [] } },
    });
    expect((await gql(`query($id: ID!) { node(id: $id) { id } }`, { id: never })).data).toEqual({ node: null });
  });
});
