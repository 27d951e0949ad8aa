// The SDK as outsiders get it: packed, installed from the tarball into a plain folder (its
// dependencies come from the npm registry), and used from a plain Node script and through npx.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, startTestServer, type TestServer } from "../../server/test/harness.js";

const run = promisify(execFile);
const sdkDir = fileURLToPath(new URL("..", import.meta.url));
let server: TestServer;
let app: string;

beforeAll(async () => {
  server = await startTestServer();
  app = mkdtempSync(path.join(tmpdir(), "slipway-sdk-user-"));
  await run("npm", ["pack", "--pack-destination", app], { cwd: sdkDir });
  const tarball = readdirSync(app).find((file) => file.endsWith(".tgz"))!;
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "sdk-user", private: true, type: "module" }));
  await run("npm", ["install", "--no-audit", "--no-fund", `./${tarball}`], { cwd: app });
}, 300_000);
afterAll(async () => {
  await server?.stop();
  if (app) rmSync(app, { recursive: true, force: true });
});

describe("the packed SDK", () => {
  it("signs in and lists projects from a plain .mjs script", async () => {
    await server.gql(`mutation { createProject(input: {name: "from-outside"}) { __typename } }`, {}, server.adminToken);
    writeFileSync(
      path.join(app, "list-projects.mjs"),
      `import { createClient } from "@slipway/sdk/client";
import { LoginDocument, ProjectsDocument } from "@slipway/sdk";
const url = process.argv[2];
const login = await createClient({ url }).request(LoginDocument, { input: { email: process.argv[3], password: process.argv[4] } });
const client = createClient({ url, token: login.login.data.token });
const { projects } = await client.request(ProjectsDocument, { first: 10 });
console.log(JSON.stringify(projects.edges.map((edge) => edge.node.name)));
`,
    );
    const { stdout } = await run(process.execPath, ["list-projects.mjs", server.url, ADMIN.email, ADMIN.password], { cwd: app });
    expect(JSON.parse(stdout)).toEqual(["from-outside"]);
  });

  it("ships type declarations a TypeScript user compiles against", async () => {
    writeFileSync(
      path.join(app, "check.ts"),
      `import { createClient, type SlipwayClient } from "@slipway/sdk/client";
import { ProjectsDocument, type ProjectsQuery } from "@slipway/sdk";
const client: SlipwayClient = createClient({ url: "http://localhost:4000/graphql" });
const names: Promise<string[]> = client.request(ProjectsDocument, { first: 1 }).then((r: ProjectsQuery) => r.projects.edges.map((e) => e.node.name));
// @ts-expect-error first is a number
void client.request(ProjectsDocument, { first: "1" });
void names;
`,
    );
    const tsc = fileURLToPath(new URL("../../node_modules/.bin/tsc", import.meta.url));
    await run(tsc, ["--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2023", "check.ts"], {
      cwd: app,
    });
  });

  it("installs the slipway command, which npx runs", async () => {
    const env = { PATH: process.env.PATH ?? "", HOME: app, SLIPWAY_URL: server.url, SLIPWAY_TOKEN: server.adminToken };
    const { stdout } = await run("npx", ["--no-install", "slipway", "projects"], { cwd: app, env });
    expect(stdout).toMatch(/^NAME\s+SERVICES/);
  });
});
