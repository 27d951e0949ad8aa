import "reflect-metadata";
import { webcrypto, X509Certificate } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import type { OriginCACertificate } from "cloudflare/resources/origin-ca-certificates/origin-ca-certificates";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startCloudflareSimulator, type CloudflareSimulator } from "../src/cloudflare/index.js";
import { cloudflareClient } from "./support/cloudflare-client.js";

const DAY_MS = 86_400_000;
let stateDir: string;
let sim: CloudflareSimulator;
let call: ReturnType<typeof cloudflareClient>;

async function csrFor(commonName: string, kind: "rsa" | "ecc"): Promise<string> {
  const algorithm =
    kind === "rsa"
      ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 }
      : { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(algorithm, false, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${commonName}`, keys, signingAlgorithm: algorithm });
  return csr.toString("pem");
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "slipway-cf-"));
});
afterAll(() => rm(stateDir, { recursive: true, force: true }));
beforeEach(async () => {
  sim = await startCloudflareSimulator({ stateDir });
  call = cloudflareClient(sim.url, sim.token);
});
afterEach(() => sim.close());

describe("Cloudflare simulator: Origin CA", () => {
  it("signs a CSR for app.example.test that verifies against the lab CA, with that SAN and the requested validity", async () => {
    const csr = await csrFor("app.example.test", "rsa");
    const res = await call<OriginCACertificate>("POST", "/certificates", {
      body: { csr, hostnames: ["app.example.test"], request_type: "origin-rsa", requested_validity: 90 },
    });
    expect(res.status).toBe(200);
    const result = res.body.result;
    expect(result).toMatchObject({ csr, hostnames: ["app.example.test"], request_type: "origin-rsa", requested_validity: 90 });
    expect(result.expires_on).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);

    const ca = new X509Certificate(sim.caCertPem);
    const cert = new X509Certificate(result.certificate!);
    // Cloudflare identifies an origin certificate by its serial number, in decimal.
    expect(result.id).toMatch(/^[1-9][0-9]*$/);
    expect(result.id).toBe(BigInt(`0x${cert.serialNumber}`).toString(10));
    expect(ca.ca).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.subjectAltName).toBe("DNS:app.example.test");
    expect(cert.checkHost("app.example.test")).toBe("app.example.test");
    expect(cert.checkHost("other.example.test")).toBeUndefined();
    const lifetime = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
    expect(Math.abs(lifetime - 90 * DAY_MS)).toBeLessThan(2000);
  });

  it("signs ECC CSRs for several hostnames and refuses a key that does not match request_type", async () => {
    const csr = await csrFor("example.test", "ecc");
    const res = await call<OriginCACertificate>("POST", "/certificates", {
      body: { csr, hostnames: ["example.test", "*.example.test"], request_type: "origin-ecc", requested_validity: 7 },
    });
    expect(res.status).toBe(200);
    const cert = new X509Certificate(res.body.result.certificate!);
    expect(cert.subjectAltName).toBe("DNS:example.test, DNS:*.example.test");
    expect(cert.checkHost("anything.example.test")).toBe("*.example.test");

    const mismatch = await call("POST", "/certificates", {
      body: { csr, hostnames: ["example.test"], request_type: "origin-rsa", requested_validity: 7 },
    });
    expect(mismatch.status).toBe(400);
  });

  it("rejects an invalid validity, a foreign hostname and a broken CSR", async () => {
    const csr = await csrFor("app.example.test", "ecc");
    const base = { csr, hostnames: ["app.example.test"], request_type: "origin-ecc" };
    for (const requested_validity of [0, 60, 366]) {
      const res = await call("POST", "/certificates", { body: { ...base, requested_validity } });
      expect(res.status).toBe(400);
      expect(res.body.errors[0]?.message).toContain("7, 30, 90, 365, 730, 1095, 5475");
    }
    expect((await call("POST", "/certificates", { body: { ...base, hostnames: ["app.elsewhere.test"] } })).status).toBe(400);
    expect((await call("POST", "/certificates", { body: { ...base, csr: "not a csr" } })).status).toBe(400);
    expect((await call("POST", "/certificates", { body: { ...base, request_type: "keyless-certificate" } })).status).toBe(400);
  });

  it("lists certificates by zone, gets one, and revokes it", async () => {
    const zoneId = (await call("GET", "/zones", { query: { name: "example.test" } })).body.result[0].id;
    const created = await call<OriginCACertificate>("POST", "/certificates", {
      body: { csr: await csrFor("app.example.test", "ecc"), hostnames: ["app.example.test"], request_type: "origin-ecc" },
    });
    const id = created.body.result.id!;
    expect(created.body.result.requested_validity).toBe(5475);
    const listed = await call<OriginCACertificate[]>("GET", "/certificates", { query: { zone_id: zoneId } });
    expect(listed.body.result.map((c) => c.id)).toEqual([id]);
    expect((await call<OriginCACertificate>("GET", `/certificates/${id}`)).body.result.certificate).toBe(created.body.result.certificate);

    const revoked = await call("DELETE", `/certificates/${id}`);
    expect(revoked.body.result).toMatchObject({ id, revoked_at: expect.any(String) });
    expect((await call("GET", `/certificates/${id}`)).status).toBe(404);
    expect((await call("GET", "/certificates", { query: { zone_id: zoneId } })).body.result).toEqual([]);
  });

  it("keeps the CA in the state directory across restarts", async () => {
    const again = await startCloudflareSimulator({ stateDir });
    const ephemeral = await startCloudflareSimulator();
    try {
      expect(again.caCertPem).toBe(sim.caCertPem);
      expect(ephemeral.caCertPem).not.toBe(sim.caCertPem);
    } finally {
      await again.close();
      await ephemeral.close();
    }
  });
});
