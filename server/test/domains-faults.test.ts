// Domains against a Cloudflare that misbehaves: a tight rate limit (real 429s with retry-after)
// and injected 5xx answers on the calls that change things.
import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADDRESSES, aRecords, deployAndWait, setDomains, startDomainsFixture, type DomainsFixture } from "./domains-fixture.js";

let f: DomainsFixture;
beforeAll(async () => {
  // Three calls a second, then blocked for a second: a deploy's dozen calls run into it several times.
  f = await startDomainsFixture({ rateLimits: { requests: 3, windowMs: 1_000, blockMs: 1_000 } });
});
afterAll(async () => f?.stop());

describe("domains when Cloudflare misbehaves", () => {
  it("survives 429s and 5xx answers: the certificate is issued once and DNS ends in step", async () => {
    await setDomains(f, ["app.example.test", "www.example.test"]);
    f.sim.faults.failNext(1, { status: 502, match: "^POST /certificates$" });
    f.sim.faults.failNext(2, { status: 503, match: "^POST /zones/[0-9a-f]+/dns_records/batch$" });
    const deployed = await deployAndWait(f, "registry.test/shop/web:1");

    expect(deployed.status).toBe("SUCCEEDED");
    expect(f.sim.faults.list()).toEqual([]);
    const warnings = deployed.events.filter((e) => e.level === "WARN").map((e) => `${e.step}: ${e.message}`);
    expect(warnings).toContainEqual(expect.stringMatching(/^certificate: Cloudflare POST \/certificates failed \(status 502\); retrying/));
    expect(warnings).toContainEqual(expect.stringMatching(/^dns: Cloudflare POST \/zones\/\w+\/dns_records\/batch failed \(status 503\); retrying/));
    expect(warnings).toContainEqual(expect.stringMatching(/Cloudflare rate limited/));

    expect(f.sim.state.certificates.size).toBe(1);
    const tls = f.gateway.requests[0]!.request.tls!;
    const certificate = new X509Certificate(tls.certificatePem);
    expect(certificate.verify(new X509Certificate(f.sim.caCertPem).publicKey)).toBe(true);
    expect(certificate.subjectAltName).toBe("DNS:app.example.test, DNS:www.example.test");
    expect(aRecords(f.sim)).toEqual([
      ...ADDRESSES.map((ip) => `app.example.test ${ip} proxied`),
      ...ADDRESSES.map((ip) => `www.example.test ${ip} proxied`),
    ]);
    expect(deployed.events.filter((e) => e.step === "dns").at(-1)).toMatchObject({ level: "INFO", message: "DNS in step: 4 created, 0 updated, 0 deleted" });
  }, 60_000);

  it("when Cloudflare keeps failing DNS, the release stays live and the failure is reported, then the next deploy catches up", async () => {
    await setDomains(f, ["app.example.test"]);
    f.sim.faults.failNext(5, { status: 500, match: "^POST /zones/[0-9a-f]+/dns_records/batch$" });
    const failed = await deployAndWait(f, "registry.test/shop/web:2");
    expect(failed.status).toBe("SUCCEEDED");
    expect(failed.events.filter((e) => e.step === "dns" && e.level === "ERROR").map((e) => e.message)).toEqual([
      expect.stringMatching(/^DNS of www\.example\.test not updated: Cloudflare POST .* failed with 500/),
    ]);
    expect(failed.events.filter((e) => e.step === "dns").at(-1)).toMatchObject({ level: "WARN", message: expect.stringMatching(/the next deploy tries again/) });
    expect(aRecords(f.sim)).toContain(`www.example.test ${ADDRESSES[0]} proxied`);

    const caughtUp = await deployAndWait(f, "registry.test/shop/web:3");
    expect(caughtUp.status).toBe("SUCCEEDED");
    expect(aRecords(f.sim)).toEqual(ADDRESSES.map((ip) => `app.example.test ${ip} proxied`));
  }, 120_000);
});
