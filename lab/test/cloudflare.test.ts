import type { ARecordParam, CNAMERecordParam, RecordResponse, TXTRecordParam } from "cloudflare/resources/dns/records";
import type { Zone } from "cloudflare/resources/zones/zones";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCloudflareSimulator, type CloudflareSimulator } from "../src/cloudflare/index.js";
import { cloudflareClient } from "./support/cloudflare-client.js";

let sim: CloudflareSimulator;
let call: ReturnType<typeof cloudflareClient>;
let zoneId: string;

type RecordBody = ARecordParam | CNAMERecordParam | TXTRecordParam;

beforeEach(async () => {
  sim = await startCloudflareSimulator({ zones: ["example.test", "other.test"] });
  call = cloudflareClient(sim.url, sim.token);
  zoneId = (await call<Zone[]>("GET", "/zones", { query: { name: "example.test" } })).body.result[0]!.id;
});
afterEach(() => sim.close());

const createRecord = (body: RecordBody) => call<RecordResponse>("POST", `/zones/${zoneId}/dns_records`, { body });

describe("Cloudflare simulator: auth", () => {
  it("verifies a valid token", async () => {
    const res = await call("GET", "/user/tokens/verify");
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ status: "active" });
    expect(res.body.messages[0]?.message).toBe("This API Token is valid and active");
  });

  it("answers 400 to a malformed header and 401 to an unknown token", async () => {
    const malformed = await call("GET", "/zones", { rawAuthorization: "Token abc" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0]).toMatchObject({ code: 6003, error_chain: [{ code: 6111 }] });
    const unknown = await call("GET", "/zones", { token: "someone-elses-token" });
    expect(unknown.status).toBe(401);
    expect(unknown.body.errors).toEqual([{ code: 10000, message: "Authentication error" }]);
  });
});

describe("Cloudflare simulator: zones", () => {
  it("lists zones, filters by name and gets one by id", async () => {
    const all = await call<Zone[]>("GET", "/zones");
    expect(all.body.result.map((z) => z.name).sort()).toEqual(["example.test", "other.test"]);
    expect(all.body.result_info).toMatchObject({ page: 1, count: 2, total_count: 2, total_pages: 1 });
    expect((await call<Zone[]>("GET", "/zones", { query: { name: "none.test" } })).body.result).toEqual([]);
    const one = await call<Zone>("GET", `/zones/${zoneId}`);
    expect(one.body.result).toMatchObject({ id: zoneId, name: "example.test", status: "active" });
    const missing = await call("GET", "/zones/0123456789abcdef0123456789abcdef");
    // As Cloudflare answers an id the account does not hold: 400, 7003 then 7000.
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { code: 7003, message: "Could not route to /client/v4/zones/0123456789abcdef0123456789abcdef, perhaps your object identifier is invalid?" },
      { code: 7000, message: "No route for that URI" },
    ]);
  });
});

describe("Cloudflare simulator: DNS records", () => {
  it("creates, lists with filters, gets, updates (PUT and PATCH) and deletes records", async () => {
    const created = await createRecord({ type: "A", name: "app", content: "203.0.113.10", ttl: 1, proxied: true });
    expect(created.status).toBe(200);
    const record = created.body.result;
    expect(record).toMatchObject({ type: "A", name: "app.example.test", content: "203.0.113.10", proxied: true, proxiable: true, ttl: 1 });
    await createRecord({ type: "TXT", name: "app.example.test", content: "v=lab", ttl: 300 });
    await createRecord({ type: "A", name: "api.example.test", content: "203.0.113.11", ttl: 1 });

    const byName = await call<RecordResponse[]>("GET", `/zones/${zoneId}/dns_records`, { query: { name: "app.example.test" } });
    expect(byName.body.result.map((r) => r.type).sort()).toEqual(["A", "TXT"]);
    const byType = await call<RecordResponse[]>("GET", `/zones/${zoneId}/dns_records`, { query: { type: "A" } });
    expect(byType.body.result.map((r) => r.name).sort()).toEqual(["api.example.test", "app.example.test"]);
    const paged = await call<RecordResponse[]>("GET", `/zones/${zoneId}/dns_records`, { query: { per_page: 2, page: 2 } });
    expect(paged.body.result_info).toMatchObject({ page: 2, per_page: 2, count: 1, total_count: 3, total_pages: 2 });

    const put = await call<RecordResponse>("PUT", `/zones/${zoneId}/dns_records/${record.id}`, {
      body: { type: "A", name: "app.example.test", content: "203.0.113.20", ttl: 120 } satisfies RecordBody,
    });
    expect(put.body.result).toMatchObject({ id: record.id, content: "203.0.113.20", ttl: 120, proxied: false, created_on: record.created_on });
    const patched = await call<RecordResponse>("PATCH", `/zones/${zoneId}/dns_records/${record.id}`, { body: { proxied: true } });
    expect(patched.body.result).toMatchObject({ content: "203.0.113.20", proxied: true });
    expect((await call<RecordResponse>("GET", `/zones/${zoneId}/dns_records/${record.id}`)).body.result.proxied).toBe(true);

    const deleted = await call("DELETE", `/zones/${zoneId}/dns_records/${record.id}`);
    expect(deleted.body.result).toEqual({ id: record.id });
    const gone = await call("GET", `/zones/${zoneId}/dns_records/${record.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.errors[0]?.code).toBe(81044);
  });

  it("applies a batch in order deletes, patches, puts, posts, all or nothing", async () => {
    const a = (await createRecord({ type: "A", name: "a", content: "203.0.113.1", ttl: 1 })).body.result;
    const b = (await createRecord({ type: "A", name: "b", content: "203.0.113.2", ttl: 1 })).body.result;
    const c = (await createRecord({ type: "A", name: "c", content: "203.0.113.3", ttl: 1 })).body.result;

    const batch = await call("POST", `/zones/${zoneId}/dns_records/batch`, {
      body: {
        deletes: [{ id: a.id }],
        patches: [{ id: b.id, content: "203.0.113.22" }],
        puts: [{ id: c.id, type: "CNAME", name: "c", content: "app.example.test", ttl: 1 }],
        // Posted after the delete, so reusing a's name and address is allowed.
        posts: [{ type: "A", name: "a", content: "203.0.113.1", ttl: 1 }],
      },
    });
    expect(batch.status).toBe(200);
    expect(batch.body.result.deletes.map((r: RecordResponse) => r.id)).toEqual([a.id]);
    expect(batch.body.result.patches[0]).toMatchObject({ id: b.id, content: "203.0.113.22" });
    expect(batch.body.result.puts[0]).toMatchObject({ id: c.id, type: "CNAME", content: "app.example.test" });
    expect(batch.body.result.posts[0]).toMatchObject({ name: "a.example.test" });

    const failing = await call("POST", `/zones/${zoneId}/dns_records/batch`, {
      body: { deletes: [{ id: b.id }], posts: [{ type: "A", name: "bad name", content: "203.0.113.9", ttl: 1 }] },
    });
    expect(failing.status).toBe(400);
    const names = (await call<RecordResponse[]>("GET", `/zones/${zoneId}/dns_records`)).body.result.map((r) => r.name);
    expect(names.sort()).toEqual(["a.example.test", "b.example.test", "c.example.test"]);
  });

  it("answers bad input with Cloudflare's error envelope", async () => {
    const badType = await call("POST", `/zones/${zoneId}/dns_records`, { body: { type: "BOGUS", name: "x", content: "1", ttl: 1 } });
    expect(badType.status).toBe(400);
    expect(badType.body.errors[0]).toMatchObject({ code: 1004, message: "DNS Validation Error", error_chain: [{ code: 9004 }] });

    const badName = await createRecord({ type: "A", name: "bad name!", content: "203.0.113.1", ttl: 1 });
    expect(badName.status).toBe(400);
    expect(badName.body.errors[0]?.error_chain?.[0]?.code).toBe(9005);

    const badContent = await createRecord({ type: "A", name: "x", content: "not-an-ip", ttl: 1 });
    expect(badContent.body.errors[0]?.error_chain?.[0]?.message).toContain("IPv4");

    const badTtl = await createRecord({ type: "A", name: "x", content: "203.0.113.1", ttl: 5 });
    expect(badTtl.status).toBe(400);

    const missing = await call("POST", `/zones/${zoneId}/dns_records`, { body: { type: "A" } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0]?.code).toBe(9207);

    await createRecord({ type: "A", name: "dup", content: "203.0.113.1", ttl: 1 });
    const identical = await createRecord({ type: "A", name: "dup", content: "203.0.113.1", ttl: 1 });
    expect(identical.body.errors[0]?.code).toBe(81058);
    const cname = await createRecord({ type: "CNAME", name: "dup", content: "app.example.test", ttl: 1 });
    expect(cname.body.errors[0]?.code).toBe(81053);

    const noRoute = await call("GET", "/nowhere");
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.errors[0]?.code).toBe(7000);
  });
});
