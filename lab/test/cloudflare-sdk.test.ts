import "reflect-metadata";
import { webcrypto, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";
import Cloudflare from "cloudflare";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCloudflareSimulator, type CloudflareSimulator } from "../src/cloudflare/index.js";

// The official SDK against the simulator: if Cloudflare's own client can drive it, the shapes
// (envelope, pagination, records, certificates, errors) are the ones Slipway will meet.

let sim: CloudflareSimulator;
let cf: Cloudflare;

beforeEach(async () => {
  sim = await startCloudflareSimulator();
  cf = new Cloudflare({ apiToken: sim.token, baseURL: sim.url, maxRetries: 0 });
});
afterEach(() => sim.close());

describe("Cloudflare simulator through the official SDK", () => {
  it("verifies the token, finds the zone and manages records, following pagination", async () => {
    expect((await cf.user.tokens.verify()).status).toBe("active");
    const zone_id = (await cf.zones.list({ name: "example.test" })).result[0]!.id;

    const created = await cf.dns.records.create({ zone_id, type: "A", name: "app", content: "203.0.113.5", ttl: 1, proxied: true });
    expect(created).toMatchObject({ name: "app.example.test", proxied: true });
    await cf.dns.records.create({ zone_id, type: "CNAME", name: "www", content: "app.example.test", ttl: 1 });
    await cf.dns.records.create({ zone_id, type: "TXT", name: "app", content: "hello", ttl: 300 });

    const names: string[] = [];
    for await (const record of cf.dns.records.list({ zone_id, per_page: 2 })) names.push(record.name);
    expect(names.sort()).toEqual(["app.example.test", "app.example.test", "www.example.test"]);

    const updated = await cf.dns.records.update(created.id, { zone_id, type: "A", name: "app", content: "203.0.113.6", ttl: 1 });
    expect(updated.content).toBe("203.0.113.6");
    const batch = await cf.dns.records.batch({ zone_id, deletes: [{ id: created.id }] });
    expect(batch.deletes?.map((r) => r.id)).toEqual([created.id]);
    await expect(cf.dns.records.delete(created.id, { zone_id })).rejects.toBeInstanceOf(Cloudflare.NotFoundError);
  });

  it("surfaces Cloudflare's errors as the SDK's error classes", async () => {
    const zone_id = (await cf.zones.list()).result[0]!.id;
    const failure = await cf.dns.records.create({ zone_id, type: "A", name: "bad name", content: "203.0.113.1", ttl: 1 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Cloudflare.BadRequestError);
    expect((failure as InstanceType<typeof Cloudflare.BadRequestError>).errors[0]).toMatchObject({ code: 1004 });

    const stranger = new Cloudflare({ apiToken: "not-the-token", baseURL: sim.url, maxRetries: 0 });
    await expect(stranger.zones.list()).rejects.toBeInstanceOf(Cloudflare.AuthenticationError);
  });

  it("issues an origin certificate", async () => {
    const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
    const keys = (await webcrypto.subtle.generateKey(algorithm, false, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: "CN=app.example.test", keys, signingAlgorithm: algorithm });
    const issued = await cf.originCACertificates.create({
      csr: csr.toString("pem"),
      hostnames: ["app.example.test"],
      request_type: "origin-ecc",
      requested_validity: 30,
    });
    const cert = new X509Certificate(issued.certificate!);
    expect(cert.verify(new X509Certificate(sim.caCertPem).publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe("DNS:app.example.test");
  });
});
