// Domains on real lab hosts: two adopted hosts, a static site deployed with app.example.test, its
// origin certificate (from the Cloudflare simulator's lab CA) installed into nginx on each host.
// The hosts live in a lab instance of this suite's own, torn down before and after.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startCloudflareSimulator, type CloudflareSimulator } from "@slipway/lab/cloudflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aRecords } from "./domains-fixture.js";
import { tarGz } from "./fixtures/sources/archives.js";
import { startTestServer, type TestServer } from "./harness.js";
import {
  adoptHosts, bootHosts, createProjectAndService, deployArchive, follow, httpsGet, labBaseImagesEnv, LAB_NETWORK_ENV, newLab, waitServing, type AdoptedHost,
} from "./e2e-support.js";

const suffix = randomBytes(3).toString("hex");
const LAB_NAMES = ["a", "b"].map((n) => `dns-${n}-${suffix}`);
const APP = "app.example.test";
const lab = newLab("srv-domains");
const booted: string[] = [];
let sim: CloudflareSimulator;
let server: TestServer;
let dataDir: string;
let hosts: AdoptedHost[];
let serviceId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "slipway-dns-"));
  await lab.teardown();
  sim = await startCloudflareSimulator({ zones: ["example.test"] });
  server = await startTestServer({ ...labBaseImagesEnv(lab), ...LAB_NETWORK_ENV, SLIPWAY_CLOUDFLARE_API_URL: sim.url }, dataDir);
  const addresses = await bootHosts(lab, LAB_NAMES, server.app.deps.connections.identity().publicKey, booted);
  hosts = await adoptHosts(server, LAB_NAMES.map((labName, i) => ({ lab: labName, name: `dns-web-${i + 1}`, address: addresses[i]! })));
  serviceId = (await createProjectAndService(server, "dns", [{ name: "site", port: 8080 }])).services.site!;
  const credential = await server.gql(
    `mutation($input: SetCredentialInput!) { setCredential(input: $input) { __typename } }`,
    { input: { provider: "CLOUDFLARE", token: sim.token } },
    server.adminToken,
  );
  expect(credential.data.setCredential.__typename).toBe("MutationSetCredentialSuccess");
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await sim?.close();
  await lab.teardown();
  rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

describe("HTTPS on real hosts", { timeout: 240_000 }, () => {
  it("serves app.example.test over HTTPS with the origin certificate, trusted through the lab CA only", async () => {
    const set = await server.gql(
      `mutation($s: ID!, $h: [String!]!) { setDomains(serviceId: $s, hostnames: $h) { __typename } }`,
      { s: serviceId, h: [APP] },
      server.adminToken,
    );
    expect(set.data.setDomains.__typename).toBe("MutationSetDomainsSuccess");
    const site = tarGz([{ path: "index.html", body: "<h1>hello over https</h1>\n" }]);
    const started = await deployArchive(server, serviceId, site, "site.tar.gz", hosts.map((h) => h.id));
    expect(started.__typename).toBe("MutationDeploySuccess");
    const events = await follow(server, started.data!.operation.id);
    expect(events.at(-1), JSON.stringify(events.filter((e) => e.level !== "DEBUG"))).toMatchObject({ step: "finished", message: "Succeeded" });

    const addresses = hosts.map((h) => h.address);
    expect(aRecords(sim)).toEqual(addresses.map((ip) => `${APP} ${ip} proxied`).sort());
    await waitServing(addresses, APP, /hello over https/);
    for (const address of addresses) {
      const answer = await httpsGet(address, APP, sim.caCertPem);
      expect(answer).toEqual({ status: 200, body: "<h1>hello over https</h1>\n" });
      // Without the lab CA, the certificate is not trusted.
      const untrusted = await httpsGet(address, APP).then(
        () => "trusted",
        (error: NodeJS.ErrnoException) => String(error.code),
      );
      expect(untrusted).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT/);
    }
  });
});

