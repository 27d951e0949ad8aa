import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await request(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${server.adminToken}`, ...headers },
    body,
  });
  const text = await response.body.text();
  return { status: response.statusCode, text, json: JSON.parse(text) as { errors?: { message: string }[]; data?: unknown } };
}

async function stillServing(): Promise<void> {
  const result = await server.gql(`{ viewer { email } }`, {}, server.adminToken);
  expect(result.data.viewer.email).toBeTruthy();
}

describe("hostile or broken GraphQL requests", () => {
  it("malformed JSON gets a 400 with a clear error", async () => {
    const result = await post("{not json");
    expect(result.status).toBe(400);
    expect(result.json.errors?.[0]?.message).toMatch(/POST body sent invalid JSON/i);
    await stillServing();
  });

  it("a syntax error names where it is", async () => {
    const result = await post(JSON.stringify({ query: "{ viewer { email " }));
    expect(result.json.errors?.[0]?.message).toMatch(/Syntax Error/);
    await stillServing();
  });

  it("an oversized body is refused before it is read", async () => {
    const huge = JSON.stringify({ query: `{ viewer { email } }`, variables: { pad: "x".repeat(2 * 1024 * 1024) } });
    const result = await post(huge);
    expect(result.status).toBe(413);
    expect(result.json.errors?.[0]?.message).toMatch(/larger than/);
    await stillServing();
  });

  it("an over-deep document is refused", async () => {
    let selection = "id";
    for (let i = 0; i < 20; i++) selection = `project { services { edges { node { ${selection} } } } }`;
    const result = await post(JSON.stringify({ query: `{ node(id: "x") { ... on Service { ${selection} } } }` }));
    expect(result.json.errors?.[0]?.message).toMatch(/depth|cost/i);
    await stillServing();
  });

  it("a document with too many tokens or aliases is refused", async () => {
    const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: viewer { email }`).join(" ");
    const result = await post(JSON.stringify({ query: `{ ${aliases} }` }));
    expect(result.json.errors?.[0]?.message).toMatch(/aliases|token/i);
    const tokens = Array.from({ length: 3000 }, () => "email").join(" ");
    const many = await post(JSON.stringify({ query: `{ viewer { ${tokens} } }` }));
    expect(many.json.errors?.[0]?.message).toMatch(/token/i);
    await stillServing();
  });

  it("field suggestions do not leak the schema", async () => {
    const result = await post(JSON.stringify({ query: `{ viewr { email } }` }));
    expect(result.json.errors?.[0]?.message).toMatch(/Cannot query field "viewr"/);
    expect(result.json.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it.each([
    ["not base64 at all", "%%%"],
    ["base64 of garbage", Buffer.from("garbage").toString("base64")],
    ["an id of another type", Buffer.from("User:00000000-0000-4000-8000-000000000000").toString("base64")],
  ])("an invalid ID (%s) gets a clear error and changes nothing", async (_what, id) => {
    const before = await server.app.deps.db.credential.count();
    const result = await server.gql(`mutation($id: ID!) { deleteCredential(id: $id) { __typename } }`, { id }, server.adminToken);
    expect(result.errors?.[0]?.message).toMatch(/global ID|is not of type/);
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(result.errors?.[0]?.message).not.toMatch(/Unexpected error/);
    expect(await server.app.deps.db.credential.count()).toBe(before);
    await stillServing();
  });

  it("a well-formed ID of nothing is NotFound", async () => {
    const id = Buffer.from("Credential:00000000-0000-4000-8000-000000000000").toString("base64");
    const result = await server.gql(`mutation($id: ID!) { deleteCredential(id: $id) { __typename } }`, { id }, server.adminToken);
    expect(result.data.deleteCredential.__typename).toBe("NotFoundError");
  });

  it("names that could not be image tags or DNS labels are refused", async () => {
    for (const name of ["Shop", "-shop", "shop-", "sh--op", "a".repeat(41), "shop;rm", "../x", ""]) {
      const result = await server.gql(
        `mutation($name: String!) { createProject(input: {name: $name}) { __typename ... on ValidationError { fieldErrors { path } } } }`,
        { name },
        server.adminToken,
      );
      expect(result.data.createProject.__typename, name).toBe("ValidationError");
    }
    expect(await server.app.deps.db.project.count()).toBe(0);
  });
});
