import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { startCloudflareSimulator, type CloudflareSimulator } from "@slipway/lab/cloudflare";
import { startDigitalOceanSimulator, type DigitalOceanSimulator } from "@slipway/lab/digitalocean";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.js";

const SET = `mutation($input: SetCredentialInput!) {
  setCredential(input: $input) { __typename ... on MutationSetCredentialSuccess { data { id provider name verifiedAt verificationError } } ... on ValidationError { message fieldErrors { path message } } }
}`;
const VERIFY = `mutation($id: ID!) { verifyCredential(id: $id) { __typename ... on MutationVerifyCredentialSuccess { data { id verifiedAt verificationError } } ... on Error { message } } }`;
const DELETE = `mutation($id: ID!) { deleteCredential(id: $id) { __typename ... on Error { message } } }`;

let server: TestServer;
let digitalOcean: DigitalOceanSimulator;
let cloudflare: CloudflareSimulator;

beforeAll(async () => {
  digitalOcean = await startDigitalOceanSimulator();
  cloudflare = await startCloudflareSimulator();
  server = await startTestServer({ SLIPWAY_DIGITALOCEAN_API_URL: digitalOcean.url, SLIPWAY_CLOUDFLARE_API_URL: cloudflare.url });
});
afterAll(async () => {
  await server?.stop();
  await digitalOcean?.close();
  await cloudflare?.close();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe("credentials", () => {
  it("are stored encrypted: no file of the database holds the token in clear", async () => {
    const result = await server.gql(SET, { input: { provider: "DIGITALOCEAN", token: digitalOcean.token } }, server.adminToken);
    expect(result.data.setCredential.__typename).toBe("MutationSetCredentialSuccess");
    const stored = await server.storedBytes();
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.includes(Buffer.from(digitalOcean.token)), "the database holds the token in clear").toBe(false);
    for (const file of filesUnder(server.dataDir)) {
      expect(readFileSync(file).includes(Buffer.from(digitalOcean.token)), `${file} holds the token in clear`).toBe(false);
    }
    const row = await server.app.deps.db.credential.findFirstOrThrow({ where: { provider: "DIGITALOCEAN" } });
    expect(row.ciphertext).toMatch(/^v1:/);
    expect(server.app.deps.secrets.decrypt(row.ciphertext, "credential")).toBe(digitalOcean.token);
  });

  it("keeps the secret key in the data directory with mode 0600", () => {
    const mode = statSync(path.join(server.dataDir, "secret.key")).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it("are never returned: the type has no field for the token, and no response carries it", async () => {
    const introspection = await server.gql(`{ __type(name: "Credential") { fields { name } } }`, {}, server.adminToken);
    const fields = introspection.data.__type.fields.map((f: { name: string }) => f.name);
    expect(fields).not.toContain("token");
    expect(fields).not.toContain("ciphertext");
    const list = await server.gql(`{ credentials { id provider name createdAt } }`, {}, server.adminToken);
    expect(JSON.stringify(list)).not.toContain(digitalOcean.token);
    expect(list.data.credentials).toHaveLength(1);
  });

  it("verify against the provider: a good token is marked verified, a rejected one records why", async () => {
    const good = (await server.gql(`{ credentials { id provider } }`, {}, server.adminToken)).data.credentials[0];
    const verified = await server.gql(VERIFY, { id: good.id }, server.adminToken);
    expect(verified.data.verifyCredential.data.verifiedAt).toBeTruthy();
    expect(verified.data.verifyCredential.data.verificationError).toBeNull();

    const wrongToken = "cf_wrong_token_that_cloudflare_does_not_know";
    const set = await server.gql(SET, { input: { provider: "CLOUDFLARE", token: wrongToken } }, server.adminToken);
    const rejected = await server.gql(VERIFY, { id: set.data.setCredential.data.id }, server.adminToken);
    expect(rejected.data.verifyCredential.data.verifiedAt).toBeNull();
    expect(rejected.data.verifyCredential.data.verificationError).toMatch(/Cloudflare/);
    expect(JSON.stringify(rejected)).not.toContain(wrongToken);

    const right = await server.gql(SET, { input: { provider: "CLOUDFLARE", token: cloudflare.token } }, server.adminToken);
    const ok = await server.gql(VERIFY, { id: right.data.setCredential.data.id }, server.adminToken);
    expect(ok.data.verifyCredential.data.verificationError).toBeNull();
    expect(ok.data.verifyCredential.data.verifiedAt).toBeTruthy();
  });

  it("are verified when saved: accepted, refused, or stored and marked when the provider cannot be reached", async () => {
    const SAVE = `mutation($input: SetCredentialInput!) { setCredential(input: $input) {
      ... on MutationSetCredentialSuccess { data { name verification verifiedAt verificationError } } } }`;
    const accepted = await server.gql(SAVE, { input: { provider: "DIGITALOCEAN", name: "on-save", token: digitalOcean.token } }, server.adminToken);
    expect(accepted.data.setCredential.data).toMatchObject({ name: "on-save", verification: "VERIFIED", verificationError: null });

    const refused = await server.gql(SAVE, { input: { provider: "DIGITALOCEAN", name: "on-save", token: "dop_v1_not_a_token_digitalocean_knows" } }, server.adminToken);
    expect(refused.data.setCredential.data).toMatchObject({ verification: "REJECTED", verifiedAt: null });

    // A provider that does not answer: the token is still stored, and marked so.
    const offline = await startTestServer({ SLIPWAY_DIGITALOCEAN_API_URL: "http://127.0.0.1:9/v2" });
    try {
      const stored = await offline.gql(SAVE, { input: { provider: "DIGITALOCEAN", token: digitalOcean.token } }, offline.adminToken);
      expect(stored.data.setCredential.data).toMatchObject({ verification: "UNREACHABLE", verifiedAt: null });
      expect(stored.data.setCredential.data.verificationError).toMatch(/^Could not reach the provider: /);
      expect(await offline.app.deps.db.credential.count()).toBe(1);
    } finally {
      await offline.stop();
    }
    await server.app.deps.db.credential.deleteMany({ where: { name: "on-save" } });
  });

  it("reject malformed tokens with a clear error and store nothing", async () => {
    const before = await server.app.deps.db.credential.count();
    const result = await server.gql(SET, { input: { provider: "DIGITALOCEAN", name: "Bad Name!", token: "tiny$tok" } }, server.adminToken);
    expect(result.data.setCredential.__typename).toBe("ValidationError");
    const paths = result.data.setCredential.fieldErrors.map((f: { path: string[] }) => f.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["name", "token"]));
    expect(JSON.stringify(result)).not.toContain("tiny$tok");
    expect(await server.app.deps.db.credential.count()).toBe(before);
  });

  it("can be deleted, and deleting twice says it is gone", async () => {
    const { id } = (await server.gql(`{ credentials { id provider } }`, {}, server.adminToken)).data.credentials.find(
      (c: { provider: string }) => c.provider === "CLOUDFLARE",
    );
    expect((await server.gql(DELETE, { id }, server.adminToken)).data.deleteCredential.__typename).toBe("MutationDeleteCredentialSuccess");
    expect((await server.gql(DELETE, { id }, server.adminToken)).data.deleteCredential).toEqual({
      __typename: "NotFoundError",
      message: "Credential was not found",
    });
  });
});
