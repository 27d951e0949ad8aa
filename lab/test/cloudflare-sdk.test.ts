import "reflect-metadata";
import { webcrypto, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";
import Cloudflare from "cloudflare";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCloudflareSimulator, type CloudflareSimulator } from "../src/cloudflare/index.js";

// The contract: the official SDK against the simulator. If Cloudflare's own client can drive it —
// shapes (envelope, pagination, records, certificates, errors), list filters, TTL rules, record
// timestamps, rate-limit headers and 429 back-off — the simulator behaves like what Slipway's
// client will meet, not only like its types.

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

  it("lists only the records each filter selects, as Cloudflare documents them", async () => {
    const zone_id = (await cf.zones.list({ name: "example.test" })).result[0]!.id;
    const make = (name: string, content: string, extra: Partial<{ comment: string; tags: string[]; proxied: boolean; ttl: number }> = {}) =>
      cf.dns.records.create({ zone_id, type: "A", name, content, ttl: extra.ttl ?? 1, ...extra });
    await make("api", "203.0.113.1", { comment: "Managed by Slipway", tags: ["owner:slipway", "env:prod"], proxied: true, ttl: 1 });
    await make("api-staging", "203.0.113.2", { comment: "manual", tags: ["env:staging"], ttl: 300 });
    await make("www", "198.51.100.7", { tags: ["important"], proxied: true });
    await make("shop.api", "198.51.100.8", { ttl: 120 });
    const names = async (params: Omit<Cloudflare.DNS.RecordListParams, "zone_id">) =>
      (await cf.dns.records.list({ zone_id, ...params })).result.map((r) => r.name);

    expect(await names({ name: { startswith: "API" } })).toEqual(["api.example.test", "api-staging.example.test"]);
    expect(await names({ name: { contains: ".api." } })).toEqual(["shop.api.example.test"]);
    expect(await names({ name: { endswith: "-staging.example.test" } })).toEqual(["api-staging.example.test"]);
    expect(await names({ name: { exact: "WWW.example.test" } })).toEqual(["www.example.test"]);
    expect(await names({ content: { startswith: "198.51." } })).toEqual(["www.example.test", "shop.api.example.test"]);
    expect(await names({ comment: { present: "" } })).toEqual(["api.example.test", "api-staging.example.test"]);
    expect(await names({ comment: { absent: "" } })).toEqual(["www.example.test", "shop.api.example.test"]);
    expect(await names({ comment: { contains: "SLIPWAY" } })).toEqual(["api.example.test"]);
    expect(await names({ tag: { present: "env" } })).toEqual(["api.example.test", "api-staging.example.test"]);
    expect(await names({ tag: { absent: "env" } })).toEqual(["www.example.test", "shop.api.example.test"]);
    expect(await names({ tag: { exact: "env:prod" } })).toEqual(["api.example.test"]);
    expect(await names({ tag: { startswith: "env:stag" } })).toEqual(["api-staging.example.test"]);
    expect(await names({ tag: { exact: "env:prod", present: "important" }, tag_match: "any" })).toEqual(["api.example.test", "www.example.test"]);
    expect(await names({ proxied: true })).toEqual(["api.example.test", "www.example.test"]);
    expect(await names({ proxied: false, name: { startswith: "api" } })).toEqual(["api-staging.example.test"]);
    expect(await names({ proxied: false, name: { startswith: "www" }, match: "any" })).toEqual(["api-staging.example.test", "www.example.test", "shop.api.example.test"]);
    expect(await names({ search: "staging" })).toEqual(["api-staging.example.test"]);
    expect(await names({ order: "content" })).toEqual(["www.example.test", "shop.api.example.test", "api.example.test", "api-staging.example.test"]);
    expect(await names({ order: "ttl", direction: "desc" })).toEqual(["api-staging.example.test", "shop.api.example.test", "api.example.test", "www.example.test"]);
    // A filter that matches nothing returns nothing, not the zone.
    expect(await names({ name: { startswith: "nothing" } })).toEqual([]);
  });

  it("keeps comment and tag modification times, and refuses a TTL below 60 on a free zone", async () => {
    const zone_id = (await cf.zones.list({ name: "example.test" })).result[0]!.id;
    const bare = await cf.dns.records.create({ zone_id, type: "A", name: "bare", content: "203.0.113.9", ttl: 1 });
    expect(bare.comment_modified_on).toBeUndefined();
    expect(bare.tags_modified_on).toBeUndefined();
    const noted = await cf.dns.records.edit(bare.id, { zone_id, type: "A", name: "bare", ttl: 1, comment: "first note", tags: ["team:web"] });
    expect(noted.comment_modified_on).toBe(noted.modified_on);
    expect(noted.tags_modified_on).toBe(noted.modified_on);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const moved = await cf.dns.records.edit(bare.id, { zone_id, type: "A", name: "bare", ttl: 1, content: "203.0.113.10" });
    expect(moved.comment_modified_on).toBe(noted.comment_modified_on);
    expect(moved.tags_modified_on).toBe(noted.tags_modified_on);
    expect(moved.modified_on > noted.modified_on).toBe(true);

    const short = await cf.dns.records.create({ zone_id, type: "A", name: "short", content: "203.0.113.11", ttl: 30 }).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(Cloudflare.BadRequestError);
    expect((short as InstanceType<typeof Cloudflare.BadRequestError>).errors[0]).toMatchObject({ code: 1004 });
    expect((await cf.dns.records.create({ zone_id, type: "A", name: "short", content: "203.0.113.11", ttl: 60 })).ttl).toBe(60);
  });

  it("answers an unknown zone as Cloudflare does, and gets a certificate by its serial", async () => {
    const unknown = await cf.zones.get({ zone_id: "0123456789abcdef0123456789abcdef" }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(Cloudflare.BadRequestError);
    expect((unknown as InstanceType<typeof Cloudflare.BadRequestError>).errors.map((e) => e.code)).toEqual([7003, 7000]);

    const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
    const keys = (await webcrypto.subtle.generateKey(algorithm, false, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: "CN=id.example.test", keys, signingAlgorithm: algorithm });
    const issued = await cf.originCACertificates.create({ csr: csr.toString("pem"), hostnames: ["id.example.test"], request_type: "origin-ecc" });
    expect(issued.id).toBe(BigInt(`0x${new X509Certificate(issued.certificate!).serialNumber}`).toString(10));
    expect((await cf.originCACertificates.get(issued.id!)).certificate).toBe(issued.certificate);
  });

  it("sends Ratelimit headers on every answer, and Retry-After with a 429 that the SDK waits out", async () => {
    const { response } = await cf.zones.list().withResponse();
    expect(response.headers.get("ratelimit")).toMatch(/^"default";r=1199;t=\d+$/);
    expect(response.headers.get("ratelimit-policy")).toBe('"default";q=1200;w=300');

    sim.faults.rateLimitNext(1, { retryAfterSeconds: 1 });
    const refused = await cf.zones.list().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Cloudflare.RateLimitError);
    expect((refused as InstanceType<typeof Cloudflare.RateLimitError>).headers?.get("retry-after")).toBe("1");
    expect((refused as InstanceType<typeof Cloudflare.RateLimitError>).headers?.get("ratelimit")).toMatch(/^"default";r=0;t=\d+$/);

    sim.faults.rateLimitNext(1, { retryAfterSeconds: 1 });
    const patient = new Cloudflare({ apiToken: sim.token, baseURL: sim.url, maxRetries: 1 });
    const started = Date.now();
    expect((await patient.zones.list()).result.map((z) => z.name)).toEqual(["example.test"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});
