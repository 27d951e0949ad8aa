import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";

const COMPLETE = `mutation($input: CompleteSetupInput!) { completeSetup(input: $input) {
  __typename ... on MutationCompleteSetupSuccess { data { token user { email role } } } ... on Error { message } } }`;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, undefined, { withAdmin: false });
});
afterAll(async () => server?.stop());

describe("first start without a configured admin", () => {
  it("has no users, no default password, and a one-time setup token of which only a hash is stored", async () => {
    expect(await server.app.deps.db.user.count()).toBe(0);
    expect(server.app.setupToken).toMatch(/^slwsetup_/);
    const stored = await server.app.deps.db.setupToken.findMany();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(server.app.setupToken);
    expect((await server.gql(`{ setupStatus { needsSetup } }`)).data.setupStatus.needsSetup).toBe(true);
  });

  it("refuses a wrong setup token and a weak password, creating nobody", async () => {
    const wrong = await server.gql(COMPLETE, { input: { setupToken: "slwsetup_wrong", email: "a@example.test", name: "A", password: "long-enough-password" } });
    expect(wrong.data.completeSetup.__typename).toBe("ValidationError");
    const weak = await server.gql(COMPLETE, { input: { setupToken: server.app.setupToken, email: "a@example.test", name: "A", password: "short" } });
    expect(weak.data.completeSetup.__typename).toBe("ValidationError");
    expect(await server.app.deps.db.user.count()).toBe(0);
  });

  it("creates the first admin with the right token, signs them in, and never accepts the token again", async () => {
    const input = { setupToken: server.app.setupToken, email: "Founder@Example.test", name: "Founder", password: "long-enough-password" };
    const done = await server.gql(COMPLETE, { input });
    expect(done.data.completeSetup.data.user).toEqual({ email: "founder@example.test", role: "ADMIN" });
    const token = done.data.completeSetup.data.token;
    expect((await server.gql(`{ viewer { email } }`, {}, token)).data.viewer.email).toBe("founder@example.test");
    const again = await server.gql(COMPLETE, { input: { ...input, email: "second@example.test" } });
    expect(again.data.completeSetup.__typename).toBe("ConflictError");
    expect(await server.app.deps.db.user.count()).toBe(1);
    expect((await server.gql(`{ setupStatus { needsSetup } }`)).data.setupStatus.needsSetup).toBe(false);
  });
});
