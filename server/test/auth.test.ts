import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, collect, login, startTestServer, type TestServer } from "./harness.js";

const CREATE_PROJECT = `mutation($input: CreateProjectInput!) {
  createProject(input: $input) { __typename ... on MutationCreateProjectSuccess { data { id name } } ... on Error { message } }
}`;
const CREATE_TOKEN = `mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { __typename ... on MutationCreateApiTokenSuccess { data { token apiToken { id prefix scopes } } } ... on Error { message } }
}`;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

async function projectCount(): Promise<number> {
  return server.app.deps.db.project.count();
}

describe("authentication", () => {
  it("refuses a mutation without a token, with a clear error, and changes nothing", async () => {
    const before = await projectCount();
    const result = await server.gql(CREATE_PROJECT, { input: { name: "anonymous" } }, null);
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(result.errors?.[0]?.message).toMatch(/sign in/i);
    expect(await projectCount()).toBe(before);
  });

  it("answers 401 to a token that matches nothing, a malformed header, and changes nothing", async () => {
    const before = await projectCount();
    const bad = await server.gql(CREATE_PROJECT, { input: { name: "bad-token" } }, "slwt_not-a-real-token");
    expect(bad.status).toBe(401);
    expect(bad.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(await projectCount()).toBe(before);
  });

  it("stops accepting a token the moment it is revoked", async () => {
    const created = await server.gql(CREATE_TOKEN, { input: { name: "ci", scopes: ["read", "projects:write"] } }, server.adminToken);
    const { token, apiToken } = created.data.createApiToken.data;
    expect(token).toMatch(/^slwt_/);
    expect(apiToken.prefix).toBe(token.slice(0, apiToken.prefix.length));
    expect((await server.gql(CREATE_PROJECT, { input: { name: "before-revoke" } }, token)).data.createProject.__typename).toBe(
      "MutationCreateProjectSuccess",
    );

    const revoke = await server.gql(
      `mutation($id: ID!) { revokeApiToken(id: $id) { __typename ... on MutationRevokeApiTokenSuccess { data { revokedAt } } } }`,
      { id: apiToken.id },
      server.adminToken,
    );
    expect(revoke.data.revokeApiToken.data.revokedAt).toBeTruthy();
    const before = await projectCount();
    const after = await server.gql(CREATE_PROJECT, { input: { name: "after-revoke" } }, token);
    expect(after.status).toBe(401);
    expect(await projectCount()).toBe(before);
  });

  it("refuses a mutation whose scope the token lacks, naming the scope, and changes nothing", async () => {
    const created = await server.gql(CREATE_TOKEN, { input: { name: "read-only", scopes: ["read"] } }, server.adminToken);
    const readOnly = created.data.createApiToken.data.token;
    const before = await projectCount();
    const result = await server.gql(CREATE_PROJECT, { input: { name: "read-only-attempt" } }, readOnly);
    expect(result.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(result.errors?.[0]?.message).toContain("projects:write");
    expect(await projectCount()).toBe(before);
    // Reading is what it may do.
    expect((await server.gql(`{ projects { totalCount } }`, {}, readOnly)).data.projects.totalCount).toBe(before);
  });

  it("never lets a token grant scopes its owner lacks", async () => {
    const created = await server.gql(CREATE_TOKEN, { input: { name: "reader", scopes: ["read", "tokens:write"] } }, server.adminToken);
    const reader = created.data.createApiToken.data.token;
    const escalate = await server.gql(CREATE_TOKEN, { input: { name: "escalate", scopes: ["admin"] } }, reader);
    expect(escalate.data.createApiToken.__typename).toBe("ValidationError");
    expect(escalate.data.createApiToken.message).toContain("admin");
  });

  it("rejects a wrong password without saying which part was wrong", async () => {
    const result = await server.gql(
      `mutation { login(input: {email: "${ADMIN.email}", password: "wrong-password"}) { __typename ... on Error { message } } }`,
    );
    expect(result.data.login).toEqual({ __typename: "InvalidCredentialsError", message: "The email or password is wrong" });
  });

  it("ends a session on logout", async () => {
    const session = await login(server, ADMIN.email, ADMIN.password);
    expect((await server.gql(`{ viewer { email role } }`, {}, session)).data.viewer).toEqual({ email: ADMIN.email, role: "ADMIN" });
    expect((await server.gql(`mutation { logout }`, {}, session)).data.logout).toBe(true);
    expect((await server.gql(`{ viewer { email } }`, {}, session)).status).toBe(401);
  });

  it("authenticates subscriptions through connectionParams", async () => {
    const query = `subscription($id: ID!) { operationEvents(operationId: $id) { seq } }`;
    const id = Buffer.from("Operation:00000000-0000-4000-8000-000000000000").toString("base64");
    const anonymous = await collect(server.ws(null), query, { id }).done;
    expect(anonymous.values).toEqual([]);
    expect(JSON.stringify(anonymous.errors)).toMatch(/Sign in first/);
    const signedIn = await collect(server.ws(server.adminToken), query, { id }).done;
    expect(JSON.stringify(signedIn.errors)).toMatch(/Operation was not found/);
  });

  it("writes an audit entry for every mutation, refused ones included, without secrets", async () => {
    await server.gql(CREATE_PROJECT, { input: { name: "audited", description: "d" } }, server.adminToken);
    await server.gql(CREATE_PROJECT, { input: { name: "refused" } }, null);
    await server.gql(
      `mutation { setCredential(input: {provider: DIGITALOCEAN, token: "dop_v1_auditsecretauditsecretauditsecret"}) { __typename } }`,
      {},
      server.adminToken,
    );
    const entries = await server.app.deps.db.auditLogEntry.findMany({ orderBy: { createdAt: "asc" } });
    const created = entries.find((e) => e.action === "createProject" && e.outcome === "ok" && JSON.stringify(e.details).includes("audited"));
    expect(created?.actorId).toBeTruthy();
    expect(created?.targetType).toBe("Project");
    const refused = entries.find((e) => e.action === "createProject" && JSON.stringify(e.details).includes("refused"));
    expect(refused?.outcome).toBe("UNAUTHENTICATED");
    expect(refused?.actorId).toBeNull();
    const credential = entries.find((e) => e.action === "setCredential");
    expect(credential?.outcome).toBe("ok");
    expect(JSON.stringify(entries)).not.toContain("auditsecret");
    expect(JSON.stringify(entries)).not.toContain(ADMIN.password);
  });
});
