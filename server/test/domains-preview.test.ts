// The domains editor's preview: lines read the way people paste them, every bad line named, and
// for each host name the DNS the next deploy makes and whether the Cloudflare token covers it.
// The lab's Cloudflare simulator (zone example.test) stands in for Cloudflare.
import { startCloudflareSimulator, type CloudflareSimulator } from "@slipway/lab/cloudflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gid, startTestServer, type TestServer } from "./harness.js";

let cloudflare: CloudflareSimulator;
let server: TestServer;
let serviceId: string;

beforeAll(async () => {
  cloudflare = await startCloudflareSimulator();
  server = await startTestServer({ SLIPWAY_CLOUDFLARE_API_URL: cloudflare.url });
  const { db } = server.app.deps;
  const project = await db.project.create({ data: { name: "shop" } });
  const service = await db.service.create({ data: { projectId: project.id, name: "web", imageBase: "slipway/shop-web", agentName: "shop--web" } });
  const host = await db.server.create({ data: { name: "web-1", kind: "SSH_HOST", status: "ACTIVE", managed: false, publicIpv4: "203.0.113.7" } });
  await db.serviceServer.create({ data: { serviceId: service.id, serverId: host.id } });
  serviceId = gid("Service", service.id);
});
afterAll(async () => {
  await server?.stop();
  await cloudflare?.close();
});

const PREVIEW = `query($s: ID!, $l: [String!]!) { domainsPreview(serviceId: $s, lines: $l) { line hostname problem zone coverage dns } }`;
const LINES = ["https://Shop.example.test/", "not a host!", "", "shop.example.test", "www.elsewhere.invalid"];

describe("domainsPreview", () => {
  it("without a Cloudflare token: strips https:// and /, names every bad line and duplicate, and says no DNS is made", async () => {
    const result = await server.gql(PREVIEW, { s: serviceId, l: LINES }, server.adminToken);
    expect(result.data.domainsPreview).toEqual([
      { line: "https://Shop.example.test/", hostname: "shop.example.test", problem: null, zone: null, coverage: "NO_TOKEN", dns: expect.stringMatching(/^None: there is no Cloudflare token\. Point shop\.example\.test at 203\.0\.113\.7 yourself/) },
      { line: "not a host!", hostname: null, problem: "“not a host!” is not a host name like app.example.com", zone: null, coverage: "NO_TOKEN", dns: "Nothing: fix the line first." },
      { line: "shop.example.test", hostname: "shop.example.test", problem: "shop.example.test is listed twice", zone: null, coverage: "NO_TOKEN", dns: expect.any(String) },
      { line: "www.elsewhere.invalid", hostname: "www.elsewhere.invalid", problem: null, zone: null, coverage: "NO_TOKEN", dns: expect.any(String) },
    ]);
  });

  it("with a verified token: names the zone that covers a host name, and the ones it does not", async () => {
    const saved = await server.gql(
      `mutation($t: String!) { setCredential(input: {provider: CLOUDFLARE, token: $t}) { ... on MutationSetCredentialSuccess { data { verification } } } }`,
      { t: cloudflare.token },
      server.adminToken,
    );
    expect(saved.data.setCredential.data.verification).toBe("VERIFIED");
    const result = await server.gql(PREVIEW, { s: serviceId, l: ["shop.example.test", "www.elsewhere.invalid"] }, server.adminToken);
    expect(result.data.domainsPreview).toEqual([
      {
        line: "shop.example.test",
        hostname: "shop.example.test",
        problem: null,
        zone: "example.test",
        coverage: "COVERED",
        dns: "A proxied A record shop.example.test → 203.0.113.7 in the Cloudflare zone example.test, and an origin certificate for HTTPS.",
      },
      {
        line: "www.elsewhere.invalid",
        hostname: "www.elsewhere.invalid",
        problem: null,
        zone: null,
        coverage: "NOT_COVERED",
        dns: expect.stringMatching(/^None: the Cloudflare token covers no zone holding www\.elsewhere\.invalid/),
      },
    ]);
  });

  it("setDomains itself takes pasted URLs", async () => {
    const set = await server.gql(
      `mutation($s: ID!, $h: [String!]!) { setDomains(serviceId: $s, hostnames: $h) { ... on MutationSetDomainsSuccess { data { domains } } ... on Error { message } } }`,
      { s: serviceId, h: ["https://Shop.example.test/"] },
      server.adminToken,
    );
    expect(set.data.setDomains).toEqual({ data: { domains: ["shop.example.test"] } });
  });
});
