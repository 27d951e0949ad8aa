// The Cloudflare client against the lab simulator over real HTTP on loopback.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startCloudflareSimulator, type CloudflareSimulator, type CloudflareSimulatorOptions } from "@slipway/lab/cloudflare";
import { Agent, request, type Dispatcher } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import {
  CloudflareApiError, CloudflareClient, CloudflareError, CloudflareRateLimitError, generateOriginCsr, type CloudflareClientOptions,
  type CloudflareTransportEvent, type DnsRecord,
} from "../src/integrations/cloudflare/index.js";
import { InProcessRateBudget } from "../src/infra/in-process/rate-budget.js";

let sim: CloudflareSimulator | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await sim?.close();
  sim = undefined;
});

async function start(options: CloudflareSimulatorOptions = {}) {
  sim = await startCloudflareSimulator({ zones: ["example.test", "other.test"], ...options });
  return sim;
}

function clientFor(target: { url: string; token: string }, options: Partial<CloudflareClientOptions> = {}) {
  const sent: string[] = [];
  const events: CloudflareTransportEvent[] = [];
  const agent = new Agent();
  closers.push(() => agent.close());
  const dispatcher = agent.compose((dispatch: Dispatcher["dispatch"]) => (opts, handler) => {
    sent.push(`${opts.method} ${opts.path}`);
    return dispatch(opts, handler);
  });
  const client = new CloudflareClient({
    token: target.token,
    apiUrl: target.url,
    rateBudget: new InProcessRateBudget(),
    requestTimeoutMs: 2_000,
    retry: { attempts: 4, baseDelayMs: 10, maxDelayMs: 50 },
    rateLimit: { blockWaitMs: 1_000, maxWaits: 3 },
    dispatcher,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { client, sent, events };
}

/**
 * A loopback proxy in front of the simulator that forwards every call, but for the first `times`
 * calls matching `lose` it lets the simulator act and then drops the connection unanswered.
 */
async function lossyProxy(apiUrl: string, lose: RegExp, times = 1): Promise<string> {
  const upstream = new URL(apiUrl);
  let left = times;
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const answer = await request(`${upstream.origin}${req.url}`, {
        method: req.method as Dispatcher.HttpMethod,
        headers: { authorization: req.headers.authorization ?? "", "content-type": "application/json" },
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      const text = await answer.body.text();
      if (left > 0 && lose.test(`${req.method} ${new URL(req.url!, "http://x").pathname}`)) {
        left -= 1;
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.statusCode, { "content-type": "application/json" }).end(text);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${upstream.pathname}`;
}

const summary = (records: DnsRecord[]) =>
  records.map((r) => `${r.type} ${r.name} ${r.content}${r.proxied ? " proxied" : ""}`).sort();

describe("Cloudflare client: zones and DNS records", () => {
  it("finds zones by name and by hostname", async () => {
    const sim = await start();
    const { client } = clientFor(sim);
    expect((await client.verifyToken()).status).toBe("active");
    const zone = await client.findZone("example.test");
    expect(zone?.name).toBe("example.test");
    expect(await client.findZone("missing.test")).toBeUndefined();
    expect((await client.findZoneForHostname("a.b.Example.test."))?.id).toBe(zone!.id);
    expect(await client.findZoneForHostname("app.nowhere.test")).toBeUndefined();
  });

  it("creates, lists by name and type, updates and deletes records", async () => {
    const sim = await start();
    const { client } = clientFor(sim);
    const zone = (await client.findZone("example.test"))!;
    const a = await client.createDnsRecord(zone.id, { type: "A", name: "app.example.test", content: "203.0.113.10", ttl: 1, proxied: true });
    await client.createDnsRecord(zone.id, { type: "A", name: "app.example.test", content: "203.0.113.11", ttl: 1, proxied: true });
    await client.createDnsRecord(zone.id, { type: "TXT", name: "app.example.test", content: "hello", ttl: 300 });
    await client.createDnsRecord(zone.id, { type: "A", name: "api.example.test", content: "203.0.113.12", ttl: 1, proxied: true });

    expect(summary(await client.listDnsRecords(zone.id, { name: "app.example.test", type: "A" }))).toEqual([
      "A app.example.test 203.0.113.10 proxied",
      "A app.example.test 203.0.113.11 proxied",
    ]);
    expect(await client.listDnsRecords(zone.id)).toHaveLength(4);

    const updated = await client.updateDnsRecord(zone.id, a.id, { type: "A", name: "app.example.test", content: "203.0.113.20", ttl: 1, proxied: false });
    expect(updated).toMatchObject({ id: a.id, content: "203.0.113.20", proxied: false });
    expect(await client.deleteDnsRecord(zone.id, a.id)).toBe(true);
    expect(await client.deleteDnsRecord(zone.id, a.id)).toBe(false);

    const invalid = await client.createDnsRecord(zone.id, { type: "A", name: "bad.example.test", content: "not-an-ip", ttl: 1 }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(CloudflareApiError);
    expect((invalid as Error).message).toBe(
      "Cloudflare POST /zones/" + zone.id + "/dns_records failed with 400: 1004 DNS Validation Error (9005 Content for A record must be a valid IPv4 address.)",
    );
  });

  it("applies a batch as one transaction, and nothing of a batch that fails", async () => {
    const sim = await start();
    const { client } = clientFor(sim);
    const zone = (await client.findZone("example.test"))!;
    const old = await client.createDnsRecord(zone.id, { type: "A", name: "www.example.test", content: "203.0.113.1", ttl: 1, proxied: true });
    const result = await client.batchDnsRecords(zone.id, {
      deletes: [{ id: old.id }],
      posts: [
        { type: "A", name: "www.example.test", content: "203.0.113.2", ttl: 1, proxied: true },
        { type: "A", name: "www.example.test", content: "203.0.113.3", ttl: 1, proxied: true },
      ],
    });
    expect(result.deletes?.map((r) => r.id)).toEqual([old.id]);
    expect(result.posts).toHaveLength(2);
    const after = await client.listDnsRecords(zone.id);
    expect(summary(after)).toEqual(["A www.example.test 203.0.113.2 proxied", "A www.example.test 203.0.113.3 proxied"]);

    await expect(
      client.batchDnsRecords(zone.id, {
        deletes: [{ id: after[0]!.id }],
        posts: [{ type: "A", name: "www.example.test", content: "203.0.113.3", ttl: 1, proxied: true }],
      }),
    ).rejects.toBeInstanceOf(CloudflareApiError);
    expect(summary(await client.listDnsRecords(zone.id))).toEqual(summary(after));
  });

  it("syncs a hostname's proxied A records to the servers that run the service", async () => {
    const sim = await start();
    const { client } = clientFor(sim);
    const zone = (await client.findZone("example.test"))!;
    await client.createDnsRecord(zone.id, { type: "A", name: "shop.example.test", content: "203.0.113.1", ttl: 1, proxied: false });
    await client.createDnsRecord(zone.id, { type: "A", name: "shop.example.test", content: "203.0.113.9", ttl: 1, proxied: true });
    await client.createDnsRecord(zone.id, { type: "A", name: "keep.example.test", content: "198.51.100.1", ttl: 1, proxied: false });

    const plan = await client.syncARecords(zone.id, [
      { hostname: "shop.example.test", ipv4s: ["203.0.113.1", "203.0.113.2", "203.0.113.3"] },
      { hostname: "new.example.test", ipv4s: ["203.0.113.2"] },
    ]);
    expect([plan.creates.length, plan.updates.length, plan.deletes.length]).toEqual([2, 2, 0]);
    expect(summary(await client.listDnsRecords(zone.id))).toEqual([
      "A keep.example.test 198.51.100.1",
      "A new.example.test 203.0.113.2 proxied",
      "A shop.example.test 203.0.113.1 proxied",
      "A shop.example.test 203.0.113.2 proxied",
      "A shop.example.test 203.0.113.3 proxied",
    ]);
    // Applying the same wish again changes nothing.
    const again = await client.syncARecords(zone.id, [{ hostname: "shop.example.test", ipv4s: ["203.0.113.3", "203.0.113.1", "203.0.113.2"] }]);
    expect(again).toEqual({ creates: [], updates: [], deletes: [], conflicts: [] });

    await client.createDnsRecord(zone.id, { type: "CNAME", name: "alias.example.test", content: "elsewhere.test", ttl: 1 });
    await expect(client.syncARecords(zone.id, [{ hostname: "alias.example.test", ipv4s: ["203.0.113.1"] }])).rejects.toThrow(
      "Another record (CNAME) already holds alias.example.test; Slipway will not replace it",
    );
  });

  it("re-plans a sync whose batch failed before applying, and sends it again", async () => {
    const sim = await start();
    const { client, events, sent } = clientFor(sim);
    const zone = (await client.findZone("example.test"))!;
    sim.faults.failNext(1, { status: 502, match: "^POST /zones/[0-9a-f]+/dns_records/batch$" });
    await client.syncARecords(zone.id, [{ hostname: "web.example.test", ipv4s: ["203.0.113.5"] }]);
    expect(events.filter((e) => e.kind === "retry")).toHaveLength(1);
    expect(sent.filter((s) => s.startsWith("POST"))).toHaveLength(2);
    expect(summary(await client.listDnsRecords(zone.id))).toEqual(["A web.example.test 203.0.113.5 proxied"]);
  });

  it("re-plans a sync whose batch answer was lost after it applied, and sends nothing more", async () => {
    const sim = await start();
    const url = await lossyProxy(sim.url, /^POST \/client\/v4\/zones\/[0-9a-f]+\/dns_records\/batch$/);
    const { client, sent } = clientFor({ url, token: sim.token });
    const zone = (await client.findZone("example.test"))!;
    await client.syncARecords(zone.id, [{ hostname: "web.example.test", ipv4s: ["203.0.113.5", "203.0.113.6"] }]);
    expect(sent.filter((s) => s.startsWith("POST"))).toHaveLength(1);
    expect(summary(await client.listDnsRecords(zone.id))).toEqual([
      "A web.example.test 203.0.113.5 proxied",
      "A web.example.test 203.0.113.6 proxied",
    ]);
  });

  it("does not repeat a plain batch whose outcome is unknown", async () => {
    const sim = await start();
    const url = await lossyProxy(sim.url, /dns_records\/batch$/);
    const { client } = clientFor({ url, token: sim.token });
    const zone = (await client.findZone("example.test"))!;
    await expect(
      client.batchDnsRecords(zone.id, { posts: [{ type: "A", name: "b.example.test", content: "203.0.113.7", ttl: 1, proxied: true }] }),
    ).rejects.toThrow(/the outcome of an attempt is unknown; list the records and plan again$/);
    expect(await client.listDnsRecords(zone.id)).toHaveLength(1);
  });

  it("adopts the record a lost create made instead of failing on the duplicate", async () => {
    const sim = await start();
    const url = await lossyProxy(sim.url, /dns_records$/);
    const { client } = clientFor({ url, token: sim.token });
    const zone = (await client.findZone("example.test"))!;
    const record = await client.createDnsRecord(zone.id, { type: "A", name: "c.example.test", content: "203.0.113.8", ttl: 1, proxied: true });
    expect((await client.listDnsRecords(zone.id)).map((r) => r.id)).toEqual([record.id]);
  });
});

describe("Cloudflare client: origin certificates", () => {
  for (const keyType of ["ecdsa-p256", "rsa-2048"] as const) {
    it(`issues a certificate for a ${keyType} CSR made by generateOriginCsr, signed by the CA, covering the hostnames`, async () => {
      const sim = await start();
      const { client } = clientFor(sim);
      const hostnames = ["shop.example.test", "*.shop.example.test"];
      const csr = await generateOriginCsr(hostnames, keyType);
      expect(csr.requestType).toBe(keyType === "rsa-2048" ? "origin-rsa" : "origin-ecc");
      expect(csr.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);

      const issued = await client.createOriginCertificate({ csr: csr.csrPem, hostnames, requestType: csr.requestType, validityDays: 90 });
      expect(issued).toMatchObject({ hostnames, request_type: csr.requestType, requested_validity: 90 });

      const ca = new X509Certificate(sim.caCertPem);
      const cert = new X509Certificate(issued.certificate);
      expect(cert.checkIssued(ca)).toBe(true);
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(cert.checkPrivateKey(createPrivateKey(csr.privateKeyPem))).toBe(true);
      expect(cert.checkHost("shop.example.test")).toBe("shop.example.test");
      expect(cert.checkHost("api.shop.example.test")).toBeDefined();
      expect(cert.checkHost("other.example.test")).toBeUndefined();
      const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
      expect(Math.round(days)).toBe(90);

      expect(await client.revokeOriginCertificate(issued.id)).toBe(true);
      expect(await client.revokeOriginCertificate(issued.id)).toBe(false);
    });
  }

  it("refuses a validity the Origin CA does not offer, before calling it", async () => {
    const sim = await start();
    const { client, sent } = clientFor(sim);
    const csr = await generateOriginCsr(["x.example.test"]);
    await expect(
      client.createOriginCertificate({ csr: csr.csrPem, hostnames: ["x.example.test"], requestType: csr.requestType, validityDays: 60 as 90 }),
    ).rejects.toThrow("An origin certificate's validity must be one of 7, 30, 90, 365, 730, 1095, 5475 days, not 60");
    expect(sent).toEqual([]);
  });

  it("rejects hostnames that are not hostnames", async () => {
    await expect(generateOriginCsr([])).rejects.toThrow(TypeError);
    await expect(generateOriginCsr(["a.test, O=evil"])).rejects.toThrow('"a.test, o=evil" is not a hostname');
  });

  it("adopts the certificate an attempt issued when its answer was lost, instead of issuing a second", async () => {
    const sim = await start();
    const url = await lossyProxy(sim.url, /^POST \/client\/v4\/certificates$/);
    const { client, sent } = clientFor({ url, token: sim.token });
    const csr = await generateOriginCsr(["once.example.test"]);
    const issued = await client.createOriginCertificate({ csr: csr.csrPem, hostnames: ["once.example.test"], requestType: csr.requestType });
    expect([...sim.state.certificates.values()].map((c) => c.id)).toEqual([issued.id]);
    expect(sent.filter((s) => s.startsWith("POST"))).toHaveLength(1);
  });

  it("issues again when the failed attempt issued nothing", async () => {
    const sim = await start();
    const { client, sent } = clientFor(sim);
    const csr = await generateOriginCsr(["twice.example.test"]);
    sim.faults.failNext(1, { status: 500, match: "^POST /certificates$" });
    const issued = await client.createOriginCertificate({ csr: csr.csrPem, hostnames: ["twice.example.test"], requestType: csr.requestType });
    expect([...sim.state.certificates.values()].map((c) => c.id)).toEqual([issued.id]);
    expect(sent.filter((s) => s.startsWith("POST"))).toHaveLength(2);
  });
});

describe("Cloudflare client: failures and rate limits", () => {
  it("retries 5xx answers and a hung call", async () => {
    const sim = await start();
    const { client, events } = clientFor(sim, { requestTimeoutMs: 1_000 });
    sim.faults.failNext(2, { status: 503, match: "^GET /zones$" });
    expect((await client.findZone("example.test"))?.name).toBe("example.test");
    sim.faults.hangNext(1, { match: "^GET /zones$" });
    expect((await client.findZone("other.test"))?.name).toBe("other.test");
    expect(events.map((e) => e.kind === "retry" && e.reason)).toEqual(["status 503", "status 503", expect.stringMatching(/Timeout|UND_ERR/)]);
  });

  it("keeps under its budget: a burst is spread out and never meets a 429", async () => {
    const sim = await start({ rateLimits: { requests: 4, windowMs: 500, blockMs: 2_000 } });
    const { client, events } = clientFor(sim, { rateLimit: { limits: [{ requests: 4, windowMs: 700 }] } });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.findZone("example.test")));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(events.some((e) => e.kind === "rate-limited" && e.cause === "budget")).toBe(true);
    expect(events.some((e) => e.kind === "rate-limited" && e.cause === "429")).toBe(false);
  });

  it("waits out 429 blocks and retries: a storm ends with no failed call", async () => {
    const sim = await start({ rateLimits: { requests: 5, windowMs: 400, blockMs: 900 } });
    const { client, events } = clientFor(sim);
    sim.faults.rateLimitNext(2);
    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => client.findZone("example.test")));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const blocks = events.filter((e) => e.kind === "rate-limited" && e.cause === "429");
    expect(blocks.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("fails clearly when still limited after the allowed waits", async () => {
    const sim = await start();
    const { client } = clientFor(sim, { rateLimit: { maxWaits: 1, blockWaitMs: 50 } });
    sim.faults.rateLimitNext(5);
    const failure = await client.findZone("example.test").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CloudflareRateLimitError);
    expect((failure as CloudflareError).message).toBe("Cloudflare GET /zones: still rate limited after waiting 1 time(s)");
  });

  it("never lets the token into an error", async () => {
    const sim = await start();
    const { client } = clientFor({ url: sim.url, token: "cf_secret_token_0123456789abcdef" });
    const failure = (await client.findZone("example.test").catch((e: unknown) => e)) as CloudflareApiError;
    expect(failure.status).toBe(401);
    expect(JSON.stringify({ ...failure, text: failure.message, stack: failure.stack })).not.toContain("0123456789abcdef");
  });
});
