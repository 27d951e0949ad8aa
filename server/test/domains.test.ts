// Domains end to end through the API: Cloudflare DNS and Origin CA certificates (the lab's
// simulator over real HTTP on loopback) around deploys recorded by a recording gateway.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renewExpiringCertificates } from "../src/domain/domains/renew-expiring-certificates.js";
import {
  ADDRESSES, aRecords, deployAndWait, rollbackAndWait, setDomains, startDomainsFixture, type DomainsFixture,
} from "./domains-fixture.js";

let f: DomainsFixture;
beforeAll(async () => {
  f = await startDomainsFixture();
});
afterAll(async () => f?.stop());
beforeEach(() => {
  f.gateway.requests.length = 0;
});

const STATUS = `query($id: ID!) { node(id: $id) { ... on Service { domainStatuses {
  hostname configured live dnsRecordsSynced certificate { hostnames expiresAt } } } } }`;

async function domainStatuses() {
  return (await f.server.gql(STATUS, { id: f.serviceId }, f.server.adminToken)).data.node.domainStatuses;
}

describe("domains", () => {
  let first: string;
  let firstCertificate: string;

  it("deploys app.example.test: proxied A records for both servers, and an origin certificate on every release", async () => {
    expect((await setDomains(f, ["App.Example.test"])).data.domains).toEqual(["app.example.test"]);
    const deployed = await deployAndWait(f, "registry.test/shop/web:1");
    expect(deployed.status).toBe("SUCCEEDED");
    first = deployed.deploymentId;

    expect(aRecords(f.sim)).toEqual(ADDRESSES.map((ip) => `app.example.test ${ip} proxied`));
    expect(deployed.events.filter((e) => e.step === "dns").at(-1)).toMatchObject({ level: "INFO", message: "DNS in step: 2 created, 0 updated, 0 deleted" });
    const certificateEvents = deployed.events.filter((e) => e.step === "certificate");
    expect(certificateEvents.map((e) => e.message).join("\n")).toMatch(/Issued origin certificate for app\.example\.test/);
    // The certificate comes first, before anything is built or released.
    expect(deployed.events.findIndex((e) => e.step === "certificate")).toBeLessThan(deployed.events.findIndex((e) => e.step === "image"));

    expect(f.gateway.requests.map((r) => r.serverId).sort()).toEqual([...f.serverIds].sort());
    const tls = f.gateway.requests[0]!.request.tls!;
    for (const { request } of f.gateway.requests) expect(request.tls).toEqual(tls);
    const certificate = new X509Certificate(tls.certificatePem);
    const ca = new X509Certificate(f.sim.caCertPem);
    expect(certificate.verify(ca.publicKey)).toBe(true);
    expect(certificate.checkIssued(ca)).toBe(true);
    expect(certificate.subjectAltName).toBe("DNS:app.example.test");
    expect(certificate.checkHost("app.example.test")).toBe("app.example.test");
    expect(certificate.checkPrivateKey(createPrivateKey(tls.privateKeyPem))).toBe(true);
    const days = (new Date(certificate.validTo).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThan(366);
    firstCertificate = tls.certificatePem;

    // The key is stored only encrypted, and no event shows it.
    const keyBody = tls.privateKeyPem.split("\n").filter((line) => line && !line.startsWith("-----")).join("");
    const stored = await f.server.app.deps.db.certificate.findFirstOrThrow();
    expect(stored.privateKeyEncrypted).toMatch(/^v1:/);
    expect(stored.privateKeyEncrypted).not.toContain(keyBody.slice(0, 40));
    const bytes = (await f.server.storedBytes()).toString("latin1");
    expect(bytes).not.toContain(keyBody.slice(0, 40));
    expect(bytes).not.toContain("PRIVATE KEY");
    expect(JSON.stringify(deployed.events)).not.toContain(keyBody.slice(0, 40));

    const [status] = await domainStatuses();
    expect(status).toMatchObject({ hostname: "app.example.test", configured: true, live: true, dnsRecordsSynced: true });
    expect(status.certificate.hostnames).toEqual(["app.example.test"]);
    expect(new Date(status.certificate.expiresAt).toISOString()).toBe(stored.expiresAt.toISOString());
  });

  it("reuses the certificate at the next deploy and leaves DNS as it is", async () => {
    const issued = f.sim.state.certificates.size;
    const deployed = await deployAndWait(f, "registry.test/shop/web:2");
    expect(deployed.status).toBe("SUCCEEDED");
    expect(f.sim.state.certificates.size).toBe(issued);
    expect(deployed.events.filter((e) => e.step === "certificate").map((e) => e.message)).toEqual([
      expect.stringMatching(/^Reusing the origin certificate for app\.example\.test/),
    ]);
    for (const { request } of f.gateway.requests) expect(request.tls?.certificatePem).toBe(firstCertificate);
    expect(aRecords(f.sim)).toEqual(ADDRESSES.map((ip) => `app.example.test ${ip} proxied`));
    expect(deployed.events.filter((e) => e.step === "dns").at(-1)?.message).toBe("DNS in step: 0 created, 0 updated, 0 deleted");
  });

  it("renews a certificate close to expiry: at the next deploy, and on demand", async () => {
    const { db } = f.server.app.deps;
    const soon = new Date(Date.now() + 10 * 86_400_000);
    await db.certificate.updateMany({ data: { expiresAt: soon } });
    const deployed = await deployAndWait(f, "registry.test/shop/web:2b");
    expect(deployed.status).toBe("SUCCEEDED");
    expect(deployed.events.filter((e) => e.step === "certificate").map((e) => e.message)).toEqual([
      expect.stringMatching(/^Renewing an origin certificate for app\.example\.test \(365 days\)/),
      expect.stringMatching(/^Issued origin certificate for app\.example\.test/),
    ]);
    const renewedAtDeploy = f.gateway.requests[0]!.request.tls!.certificatePem;
    expect(renewedAtDeploy).not.toBe(firstCertificate);
    const linked = await db.serviceDomain.findUniqueOrThrow({ where: { hostname: "app.example.test" }, include: { certificate: true } });
    expect(linked.certificate?.certificatePem).toBe(renewedAtDeploy);

    await db.certificate.update({ where: { id: linked.certificateId! }, data: { expiresAt: soon } });
    const summary = await renewExpiringCertificates(f.server.app.deps);
    expect(summary.failed).toEqual([]);
    expect(summary.renewed.map((r) => r.hostnames)).toEqual([["app.example.test"]]);
    const relinked = await db.serviceDomain.findUniqueOrThrow({ where: { hostname: "app.example.test" }, include: { certificate: true } });
    expect(relinked.certificateId).not.toBe(linked.certificateId);
    expect(relinked.certificate!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 364 * 86_400_000);
    firstCertificate = relinked.certificate!.certificatePem;
  });

  it("moves DNS with the domains: a new domain at the next deploy, and back again on rollback", async () => {
    await setDomains(f, ["shop.example.test"]);
    // Until the next deploy, the live release still serves the old name.
    expect((await domainStatuses()).map((s: { hostname: string; configured: boolean; live: boolean }) => [s.hostname, s.configured, s.live])).toEqual([
      ["app.example.test", false, true],
      ["shop.example.test", true, false],
    ]);
    const moved = await deployAndWait(f, "registry.test/shop/web:3");
    expect(moved.status).toBe("SUCCEEDED");
    expect(aRecords(f.sim)).toEqual(ADDRESSES.map((ip) => `shop.example.test ${ip} proxied`));
    expect(new X509Certificate(f.gateway.requests[0]!.request.tls!.certificatePem).subjectAltName).toBe("DNS:shop.example.test");

    f.gateway.requests.length = 0;
    const issued = f.sim.state.certificates.size;
    const rolled = await rollbackAndWait(f, first);
    expect(rolled.status).toBe("SUCCEEDED");
    expect(aRecords(f.sim)).toEqual(ADDRESSES.map((ip) => `app.example.test ${ip} proxied`));
    // The rollback serves the old domains with the certificate they had.
    expect(f.sim.state.certificates.size).toBe(issued);
    for (const { request } of f.gateway.requests) {
      expect(request.domains).toContain("app.example.test");
      expect(request.tls?.certificatePem).toBe(firstCertificate);
    }
    const statuses = await domainStatuses();
    expect(statuses.find((s: { hostname: string }) => s.hostname === "app.example.test")).toMatchObject({ live: true, dnsRecordsSynced: true });
    expect(statuses.find((s: { hostname: string }) => s.hostname === "shop.example.test")).toMatchObject({ live: false, dnsRecordsSynced: false });
  });

  it("takes a removed server's address out of the records", async () => {
    const [gone, kept] = f.serverIds as [string, string];
    // As deleteServer does: out of its services first, then the server-removed hooks (DNS among them).
    await f.server.app.deps.db.serviceServer.deleteMany({ where: { serverId: gone } });
    for (const hook of f.server.app.deps.serverRemovedHooks) await hook({ id: gone, name: "dns-host-0", publicIpv4: ADDRESSES[0]! });
    expect(aRecords(f.sim)).toEqual([`app.example.test ${ADDRESSES[1]} proxied`]);
    // Later deploys go to the remaining server.
    await f.server.app.deps.db.server.delete({ where: { id: gone } });
    f.serverIds.splice(0, f.serverIds.length, kept);
  });

  it("refuses bad host names and a name another service holds, and changes nothing", async () => {
    const bad = await setDomains(f, ["app.example.test", "bad name;"]);
    expect(bad.__typename).toBe("ValidationError");
    const duplicate = await setDomains(f, ["a.example.test", "A.example.test"]);
    expect(duplicate.__typename).toBe("ValidationError");
    const project = await f.server.gql(`{ projects { edges { node { id } } } }`, {}, f.server.adminToken);
    const other = await f.server.gql(
      `mutation($p: ID!) { createService(input: {projectId: $p, name: "api"}) { ... on MutationCreateServiceSuccess { data { id } } } }`,
      { p: project.data.projects.edges[0].node.id },
      f.server.adminToken,
    );
    const taken = await f.server.gql(
      `mutation($s: ID!) { setDomains(serviceId: $s, hostnames: ["shop.example.test"]) { __typename ... on Error { message } } }`,
      { s: other.data.createService.data.id },
      f.server.adminToken,
    );
    expect(taken.data.setDomains.__typename).toBe("ConflictError");
    expect((await domainStatuses()).filter((s: { configured: boolean }) => s.configured).map((s: { hostname: string }) => s.hostname)).toEqual(["shop.example.test"]);
  });

  it("without a Cloudflare credential, warns and still deploys (HTTP only for a domain with no certificate)", async () => {
    await f.server.gql(`mutation($id: ID!) { deleteCredential(id: $id) { __typename } }`, { id: f.credentialId }, f.server.adminToken);
    await setDomains(f, ["new.example.test"]);
    const before = aRecords(f.sim);
    const deployed = await deployAndWait(f, "registry.test/shop/web:4");
    expect(deployed.status).toBe("SUCCEEDED");
    expect(deployed.events.at(-1)).toMatchObject({ step: "finished", message: "Succeeded" });
    expect(deployed.events.filter((e) => e.step === "certificate")).toEqual([
      expect.objectContaining({ level: "WARN", message: expect.stringMatching(/No Cloudflare credential is set: new\.example\.test .*HTTP only/) }),
    ]);
    expect(deployed.events.filter((e) => e.step === "dns")).toEqual([
      expect.objectContaining({ level: "WARN", message: expect.stringMatching(/^No Cloudflare credential is set: DNS records for .*new\.example\.test/) }),
    ]);
    expect(f.gateway.requests.map((r) => r.request.tls)).toEqual([null]);
    expect(aRecords(f.sim)).toEqual(before);
    const [status] = await domainStatuses();
    expect(status).toMatchObject({ hostname: "new.example.test", live: true, dnsRecordsSynced: false, certificate: null });
  });
});
