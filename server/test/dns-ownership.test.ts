// Issue 11, finding 2 (DNS takeover): Slipway changes only DNS records it created; a name where
// someone else's records stand is refused unless an admin adopts it, and removing a domain never
// deletes a record Slipway does not own. Cloudflare is the lab's simulator over real HTTP.
import { CloudflareClient } from "../src/integrations/cloudflare/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployAndWait, setDomains, startDomainsFixture, type DomainsFixture } from "./domains-fixture.js";
import { login } from "./harness.js";

let f: DomainsFixture;
let cloudflare: CloudflareClient;
let zoneId: string;

/** Every record in the zone, as "TYPE name content" lines. */
async function zoneRecords(): Promise<string[]> {
  return (await cloudflare.listDnsRecords(zoneId)).map((r) => `${r.type} ${r.name} ${r.content}`).sort();
}

beforeAll(async () => {
  f = await startDomainsFixture();
  // The test's own calls count against the same token budget as the server's.
  cloudflare = new CloudflareClient({ token: f.sim.token, apiUrl: f.sim.url, rateBudget: f.server.app.deps.rateBudget });
  zoneId = (await cloudflare.findZone("example.test"))!.id;
  // Records someone made by hand, long before Slipway: the mail server, and a site elsewhere.
  await cloudflare.createDnsRecord(zoneId, { type: "A", name: "mail.example.test", content: "198.51.100.25", ttl: 1 });
  await cloudflare.createDnsRecord(zoneId, { type: "MX", name: "example.test", content: "mail.example.test", ttl: 1 } as never).catch(() => undefined);
  await cloudflare.createDnsRecord(zoneId, { type: "CNAME", name: "blog.example.test", content: "blogs.example.net", ttl: 1 });
});
afterAll(async () => f?.stop());

describe("finding 2: DNS takeover", () => {
  it("refuses a host name that already has records Slipway did not create, and changes nothing", async () => {
    const before = await zoneRecords();
    for (const name of ["mail.example.test", "blog.example.test"]) {
      const refused = await setDomains(f, ["app.example.test", name]);
      expect(refused.__typename).toBe("ConflictError");
      expect(refused.message).toContain(name);
      expect(refused.message).toMatch(/did not create/);
    }
    expect(await f.server.app.deps.db.serviceDomain.count()).toBe(0);
    expect(await zoneRecords()).toEqual(before);
  });

  it("manages only its own records, and removing a domain leaves others' records alone", async () => {
    expect((await setDomains(f, ["app.example.test"])).__typename).toBe("MutationSetDomainsSuccess");
    expect((await deployAndWait(f, "registry.test/web:1")).status).toBe("SUCCEEDED");
    expect((await zoneRecords()).filter((r) => r.includes("app.example.test"))).toEqual(["A app.example.test 203.0.113.10", "A app.example.test 203.0.113.11"]);
    const owned = await f.server.app.deps.db.ownedDnsRecord.findMany({ where: { hostname: "app.example.test" } });
    expect(owned).toHaveLength(2);

    // Someone adds a record of their own at the name; Slipway's next change must not touch it.
    await cloudflare.createDnsRecord(zoneId, { type: "A", name: "app.example.test", content: "192.0.2.77", ttl: 1 });
    expect((await setDomains(f, ["shop.example.test"])).__typename).toBe("MutationSetDomainsSuccess");
    const moved = await deployAndWait(f, "registry.test/web:2");
    expect(moved.status).toBe("SUCCEEDED");
    const records = await zoneRecords();
    expect(records.filter((r) => r.includes("app.example.test"))).toEqual(["A app.example.test 192.0.2.77"]);
    expect(records).toContain("A mail.example.test 198.51.100.25");
    expect(records).toContain("CNAME blog.example.test blogs.example.net");
    expect(await f.server.app.deps.db.ownedDnsRecord.count({ where: { hostname: "app.example.test" } })).toBe(0);
  });

  it("lets only an admin adopt a name explicitly; then its A records follow the servers", async () => {
    const { db } = f.server.app.deps;
    await db.user.create({
      data: { email: "member@example.test", name: "member", role: "MEMBER", passwordHash: (await db.user.findFirstOrThrow()).passwordHash },
    });
    const member = await login(f.server, "member@example.test", "correct-horse-battery-staple");
    const byMember = await f.server.gql(
      `mutation($s: ID!) { setDomains(serviceId: $s, hostnames: ["mail.example.test"], adopt: ["mail.example.test"]) { __typename } }`,
      { s: f.serviceId },
      member,
    );
    expect(byMember.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const byAdmin = await f.server.gql(
      `mutation($s: ID!) { setDomains(serviceId: $s, hostnames: ["shop.example.test", "mail.example.test"], adopt: ["mail.example.test"]) { __typename } }`,
      { s: f.serviceId },
      f.server.adminToken,
    );
    expect(byAdmin.data.setDomains.__typename).toBe("MutationSetDomainsSuccess");
    expect((await deployAndWait(f, "registry.test/web:3")).status).toBe("SUCCEEDED");
    expect((await zoneRecords()).filter((r) => r.includes("mail.example.test"))).toEqual(["A mail.example.test 203.0.113.10", "A mail.example.test 203.0.113.11"]);
    const audit = await db.auditLogEntry.findFirstOrThrow({ where: { action: "setDomains", outcome: "ok" }, orderBy: { createdAt: "desc" } });
    expect(audit.details).toMatchObject({ adopt: ["mail.example.test"] });
  });
});
