// What a new user's first hour asks of the API: unknown ids are "not found", the limits are
// published, and a refused upload is an answer the client can read (not a broken pipe).
import { FormData, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gid, startTestServer, type TestServer } from "./harness.js";

const ARCHIVE_LIMIT = 64 * 1024;
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SLIPWAY_ARCHIVE_MAX_BYTES: String(ARCHIVE_LIMIT) });
});
afterAll(() => server?.stop());

const unknownId = "00000000-0000-4000-8000-000000000000";

describe("unknown ids", () => {
  it("node(id) of an unknown but well-formed id of every type is null, without errors", async () => {
    for (const type of ["Deployment", "Operation", "Service", "Project", "Server", "Snapshot", "DeployConfig", "ApiToken", "Credential", "User"]) {
      const result = await server.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: gid(type, unknownId) }, server.adminToken);
      expect(result, type).toMatchObject({ status: 200, data: { node: null } });
      expect(result.errors, type).toBeUndefined();
    }
    const nodes = await server.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [gid("Deployment", unknownId), gid("Service", "not-a-uuid")] }, server.adminToken);
    expect(nodes.errors).toBeUndefined();
    expect(nodes.data).toEqual({ nodes: [null, null] });
  });
});

describe("published limits", () => {
  it("tells clients the largest archive and request body before they send one", async () => {
    const result = await server.gql(`{ limits { maxArchiveBytes maxRequestBytes maxArchiveUnpackedBytes maxArchiveEntries } }`, {}, server.adminToken);
    expect(result.data).toEqual({
      limits: { maxArchiveBytes: ARCHIVE_LIMIT, maxRequestBytes: 1024 * 1024, maxArchiveUnpackedBytes: expect.any(Number), maxArchiveEntries: expect.any(Number) },
    });
  });

  it("needs no token: a client checks before it logs in", async () => {
    const result = await server.gql(`{ limits { maxArchiveBytes } }`);
    expect(result.data).toEqual({ limits: { maxArchiveBytes: ARCHIVE_LIMIT } });
  });
});

/** Posts like the SDK does (undici), and reads the answer: status and parsed body. */
async function post(body: string | FormData, headers: Record<string, string> = {}) {
  const response = await request(server.url, { method: "POST", headers: { authorization: `Bearer ${server.adminToken}`, ...headers }, body });
  return { status: response.statusCode, body: (await response.body.json()) as { errors?: { message: string; extensions?: { code?: string } }[] } };
}

describe("a request over the limit", () => {
  it("is answered 413 in a way the client reads, even while it is still sending", async () => {
    // Far over the multipart limit (archive limit + 1 MiB), so the server answers mid-upload.
    const form = new FormData();
    form.append("operations", JSON.stringify({ query: "{ limits { maxArchiveBytes } }", variables: { archive: null } }));
    form.append("map", JSON.stringify({ 0: ["variables.archive"] }));
    form.append("0", new File([new Uint8Array(24 * 1024 * 1024)], "app.tar.gz"));
    const refused = await post(form);
    expect(refused.status).toBe(413);
    expect(refused.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/larger than/), extensions: { code: "PAYLOAD_TOO_LARGE" } });
  });

  it("the same for a JSON body over 1 MiB, again and again on one server", async () => {
    for (let i = 0; i < 5; i++) {
      const refused = await post(JSON.stringify({ query: "{ limits { maxRequestBytes } }", variables: { padding: "x".repeat(3 * 1024 * 1024) } }), {
        "content-type": "application/json",
      });
      expect(refused.status, `attempt ${i}`).toBe(413);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe("PAYLOAD_TOO_LARGE");
    }
    expect((await server.gql(`{ limits { maxRequestBytes } }`)).data).toEqual({ limits: { maxRequestBytes: 1024 * 1024 } });
  });
});

describe("overview", () => {
  it("counts what a getting-started checklist ticks off", async () => {
    const QUERY = `{ overview { verifiedDigitalOcean verifiedCloudflare servers projects services succeededDeployments domains firstProject { id } firstService { id } } }`;
    const empty = await server.gql(QUERY, {}, server.adminToken);
    expect(empty.data.overview).toEqual({
      verifiedDigitalOcean: false, verifiedCloudflare: false, servers: 0, projects: 0, services: 0, succeededDeployments: 0, domains: 0, firstProject: null, firstService: null,
    });
    const { db } = server.app.deps;
    const project = await db.project.create({ data: { name: "overview" } });
    const service = await db.service.create({ data: { projectId: project.id, name: "web", imageBase: "slipway/overview-web", agentName: "overview--web" } });
    await db.serviceDomain.create({ data: { serviceId: service.id, hostname: "overview.example.com" } });
    await db.server.create({ data: { name: "overview-host", kind: "SSH_HOST", status: "ACTIVE", managed: false } });
    const later = await server.gql(QUERY, {}, server.adminToken);
    expect(later.data.overview).toMatchObject({ servers: 1, projects: 1, services: 1, domains: 1, firstProject: { id: gid("Project", project.id) }, firstService: { id: gid("Service", service.id) } });
    expect((await server.gql(QUERY)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("names", () => {
  it("finds projects and services by the names people read in addresses; \"new\" is reserved", async () => {
    const { db } = server.app.deps;
    const project = await db.project.create({ data: { name: "by-name" } });
    const service = await db.service.create({ data: { projectId: project.id, name: "api", imageBase: "slipway/by-name-api", agentName: "by-name--api" } });
    const found = await server.gql(
      `{ projectByName(name: "by-name") { id } serviceByName(project: "by-name", name: "api") { id } missing: serviceByName(project: "by-name", name: "nope") { id } }`,
      {},
      server.adminToken,
    );
    expect(found.data).toEqual({ projectByName: { id: gid("Project", project.id) }, serviceByName: { id: gid("Service", service.id) }, missing: null });
    const reserved = await server.gql(
      `mutation { createProject(input: {name: "new"}) { __typename ... on ValidationError { fieldErrors { path message } } } }`,
      {},
      server.adminToken,
    );
    expect(reserved.data.createProject).toEqual({ __typename: "ValidationError", fieldErrors: [{ path: ["name"], message: '"new" is reserved' }] });
  });
});
