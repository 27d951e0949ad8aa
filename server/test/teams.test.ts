// Users, roles and sessions, the audit log, and the trust findings about who may do what
// (issue 11: findings 3, 4, 5 and 6). Each finding's test failed on the code before its fix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineOperation } from "../src/domain/operations/operation.js";
import { startOperation } from "../src/domain/operations/start-operation.js";
import { ADMIN, collect, gid, login, rawId, startTestServer, type TestServer } from "./harness.js";

const PASSWORD = "a long enough passphrase";

const CREATE_USER = `mutation($input: CreateUserInput!) {
  createUser(input: $input) { __typename ... on MutationCreateUserSuccess { data { id email role } } ... on Error { message } } }`;
const CREATE_TOKEN = `mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { __typename ... on MutationCreateApiTokenSuccess { data { token apiToken { id scopes expiresAt } } } ... on Error { message } } }`;
const REVOKE_TOKEN = `mutation($id: ID!) { revokeApiToken(id: $id) { __typename ... on MutationRevokeApiTokenSuccess { data { revokedAt } } ... on Error { message } } }`;
const CREATE_PROJECT = `mutation($name: String!) { createProject(input: {name: $name}) { __typename ... on Error { message } } }`;
const EVENTS = `subscription($id: ID!) { operationEvents(operationId: $id) { seq message } }`;

// Runs until the test stops it, emitting now and then: something to hold a subscription open on.
let stopWaiting = () => {};
const waiting = defineOperation({
  name: "test-waiting",
  kind: "DEPLOY",
  input: z.object({}),
  async run(_deps, ctx) {
    const done = new Promise<void>((resolve) => (stopWaiting = resolve));
    for (let i = 0; ; i++) {
      await ctx.emit({ step: "wait", message: `tick ${i}` });
      if (await Promise.race([done.then(() => true), new Promise((r) => setTimeout(r, 300, false))])) return;
    }
  },
});

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, undefined, {
    extraOperations: [waiting],
    // Short waits, so the backoff can be seen without slowing the suite.
    loginGuardPolicy: { freeFailuresPerAccount: 3, freeFailuresPerAddress: 50, baseDelayMs: 60_000, maxDelayMs: 120_000, forgetAfterMs: 3_600_000 },
  });
});
afterAll(async () => {
  stopWaiting();
  await server?.stop();
});

async function createUser(email: string, role: "ADMIN" | "MEMBER" | "VIEWER") {
  const result = await server.gql(CREATE_USER, { input: { email, name: email.split("@")[0], password: PASSWORD, role } }, server.adminToken);
  expect(result.data.createUser.__typename).toBe("MutationCreateUserSuccess");
  return result.data.createUser.data as { id: string; email: string; role: string };
}

async function token(session: string, scopes: string[], extra: Record<string, unknown> = {}) {
  const result = await server.gql(CREATE_TOKEN, { input: { name: `t-${Math.random()}`, scopes, ...extra } }, session);
  expect(result.data?.createApiToken?.__typename, JSON.stringify(result)).toBe("MutationCreateApiTokenSuccess");
  return result.data.createApiToken.data as { token: string; apiToken: { id: string; scopes: string[]; expiresAt: string | null } };
}

const statusOf = async (bearer: string) => (await server.gql(`{ viewer { email } }`, {}, bearer)).status;

describe("users and roles", () => {
  it("lets an admin create users of each role; a viewer reads but changes nothing", async () => {
    await createUser("viewer@example.test", "VIEWER");
    const viewer = await login(server, "viewer@example.test", PASSWORD);
    expect((await server.gql(`{ projects { totalCount } }`, {}, viewer)).data.projects.totalCount).toBeGreaterThanOrEqual(0);
    const refused = await server.gql(CREATE_PROJECT, { name: "by-viewer" }, viewer);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await server.app.deps.db.project.count({ where: { name: "by-viewer" } })).toBe(0);
    const users = await server.gql(`{ users { email role disabled } }`, {}, server.adminToken);
    expect(users.data.users).toContainEqual({ email: "viewer@example.test", role: "VIEWER", disabled: false });
    // Only admins list users.
    expect((await server.gql(`{ users { email } }`, {}, viewer)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("applies a role change and a disable on the user's very next request", async () => {
    const member = await createUser("member@example.test", "MEMBER");
    const session = await login(server, "member@example.test", PASSWORD);
    expect((await server.gql(CREATE_PROJECT, { name: "by-member" }, session)).data.createProject.__typename).toBe("MutationCreateProjectSuccess");
    const { token: apiToken } = await token(session, ["read", "projects:write"]);

    const demote = await server.gql(`mutation($id: ID!) { setUserRole(id: $id, role: VIEWER) { __typename } }`, { id: member.id }, server.adminToken);
    expect(demote.data.setUserRole.__typename).toBe("MutationSetUserRoleSuccess");
    // The session and the API token lose projects:write at once: stored scopes ∩ the role's.
    for (const bearer of [session, apiToken]) {
      const refused = await server.gql(CREATE_PROJECT, { name: `after-demotion-${bearer.slice(0, 6)}` }, bearer);
      expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }

    await server.gql(`mutation($id: ID!) { disableUser(id: $id) { __typename } }`, { id: member.id }, server.adminToken);
    expect(await statusOf(session)).toBe(401);
    expect(await statusOf(apiToken)).toBe(401);
    const again = await server.gql(`mutation { login(input: {email: "member@example.test", password: "${PASSWORD}"}) { __typename } }`);
    expect(again.data.login.__typename).toBe("InvalidCredentialsError");
    await server.gql(`mutation($id: ID!) { enableUser(id: $id) { __typename } }`, { id: member.id }, server.adminToken);
    expect(await statusOf(await login(server, "member@example.test", PASSWORD))).toBe(200);
  });

  it("always keeps one active admin", async () => {
    const admins = (await server.gql(`{ users { id email role disabled } }`, {}, server.adminToken)).data.users.filter(
      (u: { role: string; disabled: boolean }) => u.role === "ADMIN" && !u.disabled,
    );
    expect(admins).toHaveLength(1);
    const self = admins[0].id;
    const demote = await server.gql(`mutation($id: ID!) { setUserRole(id: $id, role: MEMBER) { __typename ... on Error { message } } }`, { id: self }, server.adminToken);
    expect(demote.data.setUserRole).toMatchObject({ __typename: "ConflictError", message: expect.stringMatching(/one active admin/) });
    const disable = await server.gql(`mutation($id: ID!) { disableUser(id: $id) { __typename } }`, { id: self }, server.adminToken);
    expect(disable.data.disableUser.__typename).toBe("ConflictError");
    expect((await server.gql(`{ viewer { role } }`, {}, server.adminToken)).data.viewer.role).toBe("ADMIN");
  });

  it("changes a user's own password and ends their other sessions", async () => {
    await createUser("changer@example.test", "MEMBER");
    const first = await login(server, "changer@example.test", PASSWORD);
    const second = await login(server, "changer@example.test", PASSWORD);
    const wrong = await server.gql(
      `mutation { changePassword(input: {currentPassword: "not it", newPassword: "another long passphrase"}) { __typename } }`,
      {},
      second,
    );
    expect(wrong.data.changePassword.__typename).toBe("InvalidCredentialsError");
    const changed = await server.gql(
      `mutation { changePassword(input: {currentPassword: "${PASSWORD}", newPassword: "another long passphrase"}) { __typename } }`,
      {},
      second,
    );
    expect(changed.data.changePassword.__typename).toBe("MutationChangePasswordSuccess");
    expect(await statusOf(first)).toBe(401);
    expect(await statusOf(second)).toBe(200);
    expect(await statusOf(await login(server, "changer@example.test", "another long passphrase"))).toBe(200);
  });
});

describe("sessions", () => {
  it("lists the viewer's sessions with their user agent, and everyone's for an admin; revokes one", async () => {
    await createUser("sessions@example.test", "MEMBER");
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "SessionsTest/1.0" },
      body: JSON.stringify({ query: `mutation { login(input: {email: "sessions@example.test", password: "${PASSWORD}"}) { ... on MutationLoginSuccess { data { token } } } }` }),
    });
    const session = ((await response.json()) as any).data.login.data.token as string;
    const own = await server.gql(`{ sessions { id userAgent current lastUsedAt expiresAt user { email } } }`, {}, session);
    expect(own.data.sessions).toHaveLength(1);
    expect(own.data.sessions[0]).toMatchObject({ userAgent: "SessionsTest/1.0", current: true, user: { email: "sessions@example.test" } });
    const sessionId = own.data.sessions[0].id;

    // A member asking for everyone's still sees only their own.
    expect((await server.gql(`{ sessions(everyone: true) { id } }`, {}, session)).data.sessions).toHaveLength(1);
    const everyone = await server.gql(`{ sessions(everyone: true) { id user { email } } }`, {}, server.adminToken);
    expect(everyone.data.sessions.map((s: { user: { email: string } }) => s.user.email)).toEqual(expect.arrayContaining(["sessions@example.test", ADMIN.email]));

    const revoked = await server.gql(`mutation($id: ID!) { revokeSession(id: $id) { __typename } }`, { id: sessionId }, server.adminToken);
    expect(revoked.data.revokeSession.__typename).toBe("MutationRevokeSessionSuccess");
    expect(await statusOf(session)).toBe(401);
  });

  it("node(id) shows a session or a user only to its owner and admins; a malformed id is the caller's mistake", async () => {
    const owner = await createUser("owner@example.test", "MEMBER");
    const ownerSession = await login(server, "owner@example.test", PASSWORD);
    await createUser("nosy@example.test", "MEMBER");
    const nosy = await login(server, "nosy@example.test", PASSWORD);
    const [ownSession] = (await server.gql(`{ sessions { id } }`, {}, ownerSession)).data.sessions;
    const NODE = `query($id: ID!) { node(id: $id) { id ... on Session { userAgent } ... on User { email } } }`;
    for (const id of [ownSession.id, owner.id]) {
      expect((await server.gql(NODE, { id }, nosy)).data.node).toBeNull();
      expect((await server.gql(NODE, { id }, server.adminToken)).data.node).not.toBeNull();
    }
    expect((await server.gql(NODE, { id: owner.id }, ownerSession)).data.node.email).toBe("owner@example.test");
    const malformed = await server.gql(NODE, { id: "not-a-global-id" }, nosy);
    expect(malformed.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const unknown = await server.gql(NODE, { id: gid("Project", "00000000-0000-4000-8000-000000000000") }, nosy);
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data.node).toBeNull();
  });
});

describe("finding 3: login brute force", () => {
  it("allows one sign-in field per document, aliases included", async () => {
    const aliased = Array.from({ length: 3 }, (_, i) => `a${i}: login(input: {email: "${ADMIN.email}", password: "guess-${i}"}) { __typename }`).join("\n");
    const result = await server.gql(`mutation { ${aliased} }`);
    expect(result.errors?.[0]?.message).toMatch(/Only one of login, completeSetup, changePassword/);
    expect(result.data).toBeUndefined();
  });

  it("makes an account wait after a few failures, even for the right password", async () => {
    await createUser("guessed@example.test", "MEMBER");
    const attempt = (password: string) =>
      server.gql(`mutation($p: String!) { login(input: {email: "guessed@example.test", password: $p}) { __typename ... on RateLimitedError { retryAfterSeconds } } }`, { p: password });
    for (let i = 0; i < 3; i++) expect((await attempt(`wrong-${i}`)).data.login.__typename).toBe("InvalidCredentialsError");
    const blocked = await attempt(PASSWORD);
    expect(blocked.data.login.__typename).toBe("RateLimitedError");
    expect(blocked.data.login.retryAfterSeconds).toBeGreaterThan(30);
    // Another account is not held up.
    expect(await statusOf(await login(server, ADMIN.email, ADMIN.password))).toBe(200);
  });
});

describe("finding 4: audit log records failures as failures", () => {
  it("records typed errors, refusals at authentication and at validation with their real outcome", async () => {
    const { db } = server.app.deps;
    const since = new Date();
    await server.gql(`mutation { login(input: {email: "nobody@example.test", password: "x"}) { __typename } }`);
    await server.gql(CREATE_PROJECT, { name: "Bad Name" }, server.adminToken);
    await server.gql(CREATE_PROJECT, { name: "audited-bad-token" }, "slwt_revoked-or-made-up");
    await server.gql(`mutation { createProject(input: {name: "x", nope: 1}) { __typename } }`, {}, server.adminToken);
    const entries = await db.auditLogEntry.findMany({ where: { createdAt: { gte: since } }, orderBy: { createdAt: "asc" } });
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([
      ["login", "INVALID_CREDENTIALS"],
      ["createProject", "VALIDATION"],
      ["createProject", "UNAUTHENTICATED"],
      ["createProject", "GRAPHQL_VALIDATION_FAILED"],
    ]);
  });

  it("lets admins page and filter the log, and nobody change it", async () => {
    const failed = await server.gql(`{ auditLog(first: 50, outcome: "failed", action: "createProject") { totalCount edges { node { action outcome actor { email } } } } }`, {}, server.adminToken);
    expect(failed.data.auditLog.totalCount).toBeGreaterThanOrEqual(3);
    for (const { node } of failed.data.auditLog.edges) expect(node).toMatchObject({ action: "createProject", outcome: expect.not.stringMatching(/^ok$/) });
    const member = await login(server, "member@example.test", PASSWORD);
    expect((await server.gql(`{ auditLog(first: 1) { totalCount } }`, {}, member)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const mutations = (await server.gql(`{ __schema { mutationType { fields { name } } } }`, {}, server.adminToken)).data.__schema.mutationType.fields;
    expect(mutations.map((f: { name: string }) => f.name).filter((name: string) => /audit/i.test(name))).toEqual([]);
  });
});

describe("finding 5: revocation reaches open subscriptions", () => {
  it("ends an open operationEvents subscription when its token is revoked, and only that subscription", async () => {
    const operation = await startOperation(server.app.deps, waiting, {}, { title: "wait" });
    const { token: reader, apiToken } = await token(server.adminToken, ["read"]);
    const doomed = collect<{ operationEvents: { seq: number } }>(server.ws(reader), EVENTS, { id: gid("Operation", operation.id) });
    const adminSocket = server.ws(server.adminToken);
    const kept = collect<{ operationEvents: { seq: number } }>(adminSocket, EVENTS, { id: gid("Operation", operation.id) });
    await waitFor(() => doomed.values.length >= 2);

    expect((await server.gql(REVOKE_TOKEN, { id: apiToken.id }, server.adminToken)).data.revokeApiToken.__typename).toBe("MutationRevokeApiTokenSuccess");
    const ended = await doomed.done;
    expect(JSON.stringify(ended.errors)).toMatch(/UNAUTHENTICATED|revoked/);
    const countAtEnd = ended.values.length;
    await new Promise((r) => setTimeout(r, 700));
    expect(doomed.values.length).toBe(countAtEnd);

    // A refused subscribe on the admin's socket is an error for that subscription alone.
    const refused = await collect(adminSocket, EVENTS, { id: gid("Operation", "00000000-0000-4000-8000-000000000000") }).done;
    expect(JSON.stringify(refused.errors)).toMatch(/Operation was not found/);
    const before = kept.values.length;
    await waitFor(() => kept.values.length > before);
    stopWaiting();
    expect((await kept.done).errors).toEqual([]);
  });

  it("a refused subscribe (bad token) does not close the socket", async () => {
    const socket = server.ws("slwt_made-up");
    const first = await collect(socket, EVENTS, { id: gid("Operation", "00000000-0000-4000-8000-000000000000") }).done;
    expect(JSON.stringify(first.errors)).toMatch(/UNAUTHENTICATED|invalid, expired or revoked/);
    // The same socket still answers (with the same refusal) instead of having been closed with 4500.
    const second = await collect(socket, EVENTS, { id: gid("Operation", "00000000-0000-4000-8000-000000000000") }).done;
    expect(JSON.stringify(second.errors)).toMatch(/invalid, expired or revoked/);
    expect(JSON.stringify(second.errors)).not.toMatch(/4500|closed/i);
  });
});

describe("finding 6: tokens never outlive or out-rank their makers", () => {
  it("refuses to let a plain API token mint or revoke tokens", async () => {
    const { token: reader } = await token(server.adminToken, ["read"]);
    const { apiToken: adminToken } = await token(server.adminToken, ["read", "admin"]);
    const mint = await server.gql(CREATE_TOKEN, { input: { name: "child", scopes: ["read"] } }, reader);
    expect(mint.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const revoke = await server.gql(REVOKE_TOKEN, { id: adminToken.id }, reader);
    expect(revoke.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await server.app.deps.db.apiToken.findUniqueOrThrow({ where: { id: rawId(adminToken.id) } })).toMatchObject({ revokedAt: null });
  });

  it("caps a child's scopes and expiry at its parent's, ends it with its parent, and lets it revoke only its own", async () => {
    const parent = await token(server.adminToken, ["read", "deploy", "tokens:write"], { expiresInDays: 10 });
    const wider = await server.gql(CREATE_TOKEN, { input: { name: "wider", scopes: ["read", "projects:write"] } }, parent.token);
    expect(wider.data.createApiToken.__typename).toBe("ValidationError");
    const child = await token(parent.token, ["read"], { expiresInDays: 3650 });
    expect(new Date(child.apiToken.expiresAt!).getTime()).toBe(new Date(parent.apiToken.expiresAt!).getTime());
    const grandchild = await token(parent.token, ["read", "tokens:write"]);
    expect(grandchild.apiToken.expiresAt).toBe(parent.apiToken.expiresAt);

    const { apiToken: sibling } = await token(server.adminToken, ["read"]);
    expect((await server.gql(REVOKE_TOKEN, { id: sibling.id }, parent.token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await server.gql(REVOKE_TOKEN, { id: child.apiToken.id }, parent.token)).data.revokeApiToken.__typename).toBe("MutationRevokeApiTokenSuccess");
    expect(await statusOf(child.token)).toBe(401);

    expect(await statusOf(grandchild.token)).toBe(200);
    expect((await server.gql(`mutation { logout }`, {}, parent.token)).data.logout).toBe(true);
    expect(await statusOf(grandchild.token)).toBe(401);
  });

  it("keeps the CLI's flow: a session makes a token that outlives the session", async () => {
    const session = await login(server, ADMIN.email, ADMIN.password);
    const cli = await token(session, ["read", "deploy"], { expiresInDays: 90 });
    await server.gql(`mutation { logout }`, {}, session);
    expect(await statusOf(session)).toBe(401);
    expect(await statusOf(cli.token)).toBe(200);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}
