import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineOperation } from "../../server/src/domain/operations/operation.js";
import { startOperation } from "../../server/src/domain/operations/start-operation.js";
import { startTestServer, type TestServer } from "../../server/test/harness.js";
import { createClient, SlipwayGraphQLError, SlipwayTransportError } from "../src/node.js";
import { CreateProjectDocument, LoginDocument, ProjectsDocument, ViewerDocument } from "../src/index.js";
import { startTcpProxy } from "./tcp-proxy.js";

let server: TestServer;
let gates: (() => void)[] = [];

// Emits one event each time the test opens a gate.
const gated = defineOperation({
  name: "test-gated",
  kind: "DEPLOY",
  input: z.object({ count: z.number() }),
  async run(_deps, ctx, input) {
    for (let i = 0; i < input.count; i++) {
      await new Promise<void>((resolve) => gates.push(resolve));
      await ctx.emit({ step: "gated", message: `event ${i}` });
    }
  },
});

beforeAll(async () => {
  server = await startTestServer({}, undefined, { extraOperations: [gated] });
});
afterAll(async () => server?.stop());

describe("the SDK client", () => {
  it("runs typed queries and mutations, with domain errors as typed results", async () => {
    const client = createClient({ url: server.url, token: server.adminToken });
    const created = await client.request(CreateProjectDocument, { input: { name: "sdk-project" } });
    expect(created.createProject.__typename).toBe("MutationCreateProjectSuccess");
    const again = await client.request(CreateProjectDocument, { input: { name: "sdk-project" } });
    if (again.createProject.__typename !== "ConflictError") throw new Error(`expected a conflict, got ${again.createProject.__typename}`);
    expect(again.createProject.message).toContain("already exists");
    const projects = await client.request(ProjectsDocument, { first: 10 });
    expect(projects.projects.edges.map((e) => e.node.name)).toContain("sdk-project");
    await client.close();
  });

  it("signs in with the login mutation and uses the session it returns", async () => {
    const anonymous = createClient({ url: server.url });
    const login = await anonymous.request(LoginDocument, { input: { email: "admin@example.test", password: "correct-horse-battery-staple" } });
    if (login.login.__typename !== "MutationLoginSuccess") throw new Error("login failed");
    const session = createClient({ url: server.url, token: login.login.data.token });
    expect((await session.request(ViewerDocument)).viewer?.email).toBe("admin@example.test");
  });

  it("throws GraphQL errors with their code, and transport errors with their cause", async () => {
    const badToken = createClient({ url: server.url, token: "slwt_nope" });
    const error = await badToken.request(ViewerDocument).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlipwayGraphQLError);
    expect((error as SlipwayGraphQLError).code).toBe("UNAUTHENTICATED");
    expect((error as SlipwayGraphQLError).status).toBe(401);

    const nowhere = createClient({ url: "http://127.0.0.1:9/graphql" });
    const unreachable = await nowhere.request(ViewerDocument).catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(SlipwayTransportError);
    expect((unreachable as Error).cause).toBeDefined();
  });

  it("streams an operation's events and resumes after a dropped connection without gaps or repeats", async () => {
    const port = Number(new URL(server.url).port);
    const proxy = await startTcpProxy(port);
    const client = createClient({ url: `http://127.0.0.1:${proxy.port}/graphql`, token: server.adminToken });
    gates = [];
    const operation = await startOperation(server.app.deps, gated, { count: 8 }, { title: "gated" });
    const globalId = Buffer.from(`Operation:${operation.id}`).toString("base64");
    const seen: number[] = [];
    let released = 0;
    const releaseNext = async () => {
      if (released === 8) return;
      while (gates.length === 0) await new Promise((r) => setTimeout(r, 5));
      released += 1;
      gates.shift()!();
    };
    await releaseNext();
    for await (const event of client.operationEvents(globalId)) {
      seen.push(event.seq);
      if (seen.length === 3) {
        proxy.cut();
        // Events that happen while the client is away must still reach it.
        await releaseNext();
        await releaseNext();
      }
      await releaseNext();
      if (seen.length > 20) break;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(proxy.connections()).toBeGreaterThanOrEqual(2);
    await client.close();
    await proxy.close();
  });
});
