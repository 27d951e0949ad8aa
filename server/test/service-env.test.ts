import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readServiceEnv } from "../src/domain/services/service-config.js";
import { rawId, startTestServer, type TestServer } from "./harness.js";

const SET_ENV = `mutation($s: ID!, $v: [EnvVarInput!]!) { setServiceEnv(serviceId: $s, vars: $v) {
  __typename ... on MutationSetServiceEnvSuccess { data { envVars { key value secret } } } ... on ValidationError { message fieldErrors { path } } } }`;

let server: TestServer;
let serviceId: string;

beforeAll(async () => {
  server = await startTestServer();
  const project = await server.gql(`mutation { createProject(input: {name: "env"}) { ... on MutationCreateProjectSuccess { data { id } } } }`, {}, server.adminToken);
  const service = await server.gql(
    `mutation($p: ID!) { createService(input: {projectId: $p, name: "api"}) { ... on MutationCreateServiceSuccess { data { id } } } }`,
    { p: project.data.createProject.data.id },
    server.adminToken,
  );
  serviceId = service.data.createService.data.id;
});
afterAll(async () => server?.stop());

describe("service env vars", () => {
  it("never return secret values, and keep a stored value when an edit leaves it out", async () => {
    const first = await server.gql(SET_ENV, { s: serviceId, v: [{ key: "MODE", value: "a" }, { key: "TOKEN", value: "s3cr3t-value", secret: true }] }, server.adminToken);
    expect(first.data.setServiceEnv.data.envVars).toEqual([
      { key: "MODE", value: "a", secret: false },
      { key: "TOKEN", value: null, secret: true },
    ]);
    expect(JSON.stringify(first)).not.toContain("s3cr3t-value");

    // An editor that shows the secret masked sends it back without a value.
    await server.gql(SET_ENV, { s: serviceId, v: [{ key: "MODE", value: "b" }, { key: "TOKEN", secret: true }] }, server.adminToken);
    expect(await readServiceEnv(server.app.deps, rawId(serviceId))).toEqual({ env: { MODE: "b", TOKEN: "s3cr3t-value" }, secretKeys: ["TOKEN"] });
  });

  it("refuse a new variable without a value, changing nothing", async () => {
    const result = await server.gql(SET_ENV, { s: serviceId, v: [{ key: "MODE", value: "c" }, { key: "NEW_ONE" }] }, server.adminToken);
    expect(result.data.setServiceEnv.__typename).toBe("ValidationError");
    expect(result.data.setServiceEnv.fieldErrors).toEqual([{ path: ["vars", "NEW_ONE"] }]);
    expect((await readServiceEnv(server.app.deps, rawId(serviceId))).env.MODE).toBe("b");
  });
});
