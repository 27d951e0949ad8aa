import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";

const FIELDS = `id name settings`;
const CREATE = `mutation($input: CreateDeployConfigInput!) { createDeployConfig(input: $input) {
  __typename ... on MutationCreateDeployConfigSuccess { data { ${FIELDS} } } ... on Error { message } ... on ValidationError { fieldErrors { path message } } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateDeployConfigInput!) { updateDeployConfig(id: $id, input: $input) {
  __typename ... on MutationUpdateDeployConfigSuccess { data { ${FIELDS} } } ... on Error { message } } }`;
const DELETE = `mutation($id: ID!) { deleteDeployConfig(id: $id) { __typename ... on Error { message } } }`;
const LIST = `query($serviceId: ID!) { deployConfigs(serviceId: $serviceId) { ${FIELDS} } }`;
const LOAD = `query($id: ID!) { deployConfig(id: $id) { __typename ... on QueryDeployConfigSuccess { data { ${FIELDS} } } ... on Error { message } } }`;

let server: TestServer;
let serviceId: string;

beforeAll(async () => {
  server = await startTestServer();
  const project = await server.gql(
    `mutation { createProject(input: {name: "shop"}) { ... on MutationCreateProjectSuccess { data { id } } } }`, {}, server.adminToken,
  );
  const service = await server.gql(
    `mutation($p: ID!) { createService(input: {projectId: $p, name: "web", port: 8080}) { ... on MutationCreateServiceSuccess { data { id } } } }`,
    { p: project.data.createProject.data.id },
    server.adminToken,
  );
  serviceId = service.data.createService.data.id;
});
afterAll(async () => server?.stop());

const gitSettings = {
  source: { type: "GIT", repository: "https://git.example.test/shop/web.git", ref: "main" },
  env: { NODE_ENV: "production", LOG_LEVEL: "info" },
  port: 8080,
  healthCheckPath: "/healthz",
};

describe("deploy configs", () => {
  it("are created, listed, loaded, updated and deleted", async () => {
    const created = await server.gql(CREATE, { input: { serviceId, name: "production", settings: gitSettings } }, server.adminToken);
    const config = created.data.createDeployConfig.data;
    expect(config.settings).toEqual({ ...gitSettings, serverIds: [] });

    const listed = await server.gql(LIST, { serviceId }, server.adminToken);
    expect(listed.data.deployConfigs.map((c: { name: string }) => c.name)).toEqual(["production"]);

    const loaded = await server.gql(LOAD, { id: config.id }, server.adminToken);
    expect(loaded.data.deployConfig.data.settings).toEqual(config.settings);

    const imageSettings = { source: { type: "IMAGE", image: "registry.example.test:5000/shop/web:1.4.2" }, env: {} };
    const updated = await server.gql(UPDATE, { id: config.id, input: { name: "prod-image", settings: imageSettings } }, server.adminToken);
    expect(updated.data.updateDeployConfig.data).toMatchObject({ name: "prod-image", settings: { ...imageSettings, serverIds: [] } });

    expect((await server.gql(DELETE, { id: config.id }, server.adminToken)).data.deleteDeployConfig.__typename).toBe(
      "MutationDeleteDeployConfigSuccess",
    );
    expect((await server.gql(LIST, { serviceId }, server.adminToken)).data.deployConfigs).toEqual([]);
    expect((await server.gql(LOAD, { id: config.id }, server.adminToken)).data.deployConfig).toEqual({
      __typename: "NotFoundError",
      message: "Deploy config was not found",
    });
  });

  it("refuse a second config with the same name", async () => {
    await server.gql(CREATE, { input: { serviceId, name: "staging", settings: gitSettings } }, server.adminToken);
    const again = await server.gql(CREATE, { input: { serviceId, name: "staging", settings: gitSettings } }, server.adminToken);
    expect(again.data.createDeployConfig.__typename).toBe("ConflictError");
  });

  it.each([
    ["a git ref that is an option", { ...gitSettings, source: { ...gitSettings.source, ref: "--upload-pack=touch /tmp/pwned" } }, "source.ref"],
    ["a git ref with ..", { ...gitSettings, source: { ...gitSettings.source, ref: "main..evil" } }, "source.ref"],
    ["a repository that is an option", { ...gitSettings, source: { ...gitSettings.source, repository: "--config=core.sshCommand=evil" } }, "source.repository"],
    ["a file:// repository", { ...gitSettings, source: { ...gitSettings.source, repository: "file:///etc" } }, "source.repository"],
    ["an env key with a space", { ...gitSettings, env: { "BAD KEY": "x" } }, "env.BAD KEY"],
    ["an env key starting with a digit", { ...gitSettings, env: { "1X": "x" } }, "env.1X"],
    ["a port out of range", { ...gitSettings, port: 70000 }, "port"],
    ["a health path with a newline", { ...gitSettings, healthCheckPath: "/ok\nX-Evil: 1" }, "healthCheckPath"],
    ["an image with shell characters", { source: { type: "IMAGE", image: "nginx;rm -rf /" } }, "source.image"],
    ["an unknown setting", { ...gitSettings, privileged: true }, ""],
    ["an unknown source type", { source: { type: "FTP" } }, "source.type"],
  ])("reject %s with a clear error and store nothing", async (_what, settings, path) => {
    const before = await server.app.deps.db.deployConfig.count();
    const result = await server.gql(CREATE, { input: { serviceId, name: "bad", settings } }, server.adminToken);
    expect(result.data.createDeployConfig.__typename).toBe("ValidationError");
    const paths = result.data.createDeployConfig.fieldErrors.map((f: { path: string[] }) => f.path.join("."));
    expect(paths).toContain(path === "" ? "settings" : `settings.${path}`);
    expect(await server.app.deps.db.deployConfig.count()).toBe(before);
  });

  it("need the projects:write scope to change and read to list", async () => {
    const reader = await server.gql(
      `mutation { createApiToken(input: {name: "r", scopes: ["read"]}) { ... on MutationCreateApiTokenSuccess { data { token } } } }`,
      {},
      server.adminToken,
    );
    const token = reader.data.createApiToken.data.token;
    expect((await server.gql(LIST, { serviceId }, token)).data.deployConfigs.length).toBeGreaterThan(0);
    const refused = await server.gql(CREATE, { input: { serviceId, name: "sneaky", settings: gitSettings } }, token);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
