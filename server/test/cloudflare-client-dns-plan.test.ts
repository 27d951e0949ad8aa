// planDnsRecords is pure: tested by exact output.
import { describe, expect, it } from "vitest";
import { dnsPlanToBatch, planDnsRecords, type ExistingRecord } from "../src/integrations/cloudflare/index.js";

const a = (id: string, name: string, content: string, proxied = true, ttl = 1): ExistingRecord => ({ id, type: "A", name, content, proxied, ttl });
const want = (name: string, content: string) => ({ type: "A" as const, name, content, ttl: 1, proxied: true });

describe("planDnsRecords", () => {
  it("creates every record for a new hostname", () => {
    expect(planDnsRecords([{ hostname: "App.Example.com.", ipv4s: ["203.0.113.1", "203.0.113.2", "203.0.113.1"] }], [])).toEqual({
      creates: [want("app.example.com", "203.0.113.1"), want("app.example.com", "203.0.113.2")],
      updates: [],
      deletes: [],
      conflicts: [],
    });
  });

  it("changes nothing when the records already match", () => {
    const existing = [a("r1", "app.example.com", "203.0.113.2"), a("r2", "app.example.com", "203.0.113.1")];
    expect(planDnsRecords([{ hostname: "app.example.com", ipv4s: ["203.0.113.1", "203.0.113.2"] }], existing)).toEqual({
      creates: [],
      updates: [],
      deletes: [],
      conflicts: [],
    });
  });

  it("proxies a matching record that is not proxied, reuses stale records for new addresses, deletes the rest", () => {
    const existing = [
      a("r1", "app.example.com", "203.0.113.1", false),
      a("r2", "app.example.com", "198.51.100.7"),
      a("r3", "app.example.com", "198.51.100.8"),
      a("r4", "app.example.com", "198.51.100.9"),
      a("other", "api.example.com", "198.51.100.7"),
      { id: "txt", type: "TXT", name: "app.example.com", content: "v=spf1 -all", proxied: false, ttl: 300 },
    ] as ExistingRecord[];
    expect(planDnsRecords([{ hostname: "app.example.com", ipv4s: ["203.0.113.1", "203.0.113.5"] }], existing)).toEqual({
      creates: [],
      updates: [
        { id: "r1", record: want("app.example.com", "203.0.113.1") },
        { id: "r2", record: want("app.example.com", "203.0.113.5") },
      ],
      deletes: [
        { id: "r3", name: "app.example.com", content: "198.51.100.8" },
        { id: "r4", name: "app.example.com", content: "198.51.100.9" },
      ],
      conflicts: [],
    });
  });

  it("removes a hostname's A records when no server serves it any more", () => {
    const existing = [a("r1", "old.example.com", "203.0.113.1"), a("r2", "old.example.com", "203.0.113.2")];
    expect(planDnsRecords([{ hostname: "old.example.com", ipv4s: [] }], existing)).toEqual({
      creates: [],
      updates: [],
      deletes: [
        { id: "r1", name: "old.example.com", content: "203.0.113.1" },
        { id: "r2", name: "old.example.com", content: "203.0.113.2" },
      ],
      conflicts: [],
    });
  });

  it("leaves a hostname held by a CNAME alone and reports it", () => {
    const existing = [{ id: "c1", type: "CNAME", name: "www.example.com", content: "shop.example.net", proxied: true, ttl: 1 }] as ExistingRecord[];
    expect(
      planDnsRecords(
        [
          { hostname: "www.example.com", ipv4s: ["203.0.113.1"] },
          { hostname: "example.com", ipv4s: ["203.0.113.1"] },
        ],
        existing,
      ),
    ).toEqual({
      creates: [want("example.com", "203.0.113.1")],
      updates: [],
      deletes: [],
      conflicts: [{ hostname: "www.example.com", id: "c1", type: "CNAME", content: "shop.example.net" }],
    });
  });

  it("merges repeated hostnames, honours options, and refuses addresses that are not IPv4", () => {
    expect(
      planDnsRecords(
        [
          { hostname: "a.example.com", ipv4s: ["203.0.113.1"] },
          { hostname: "A.example.com", ipv4s: ["203.0.113.2"] },
        ],
        [a("r1", "a.example.com", "203.0.113.1", true, 1)],
        { proxied: false, ttl: 300, comment: "slipway" },
      ),
    ).toEqual({
      creates: [{ type: "A", name: "a.example.com", content: "203.0.113.2", ttl: 300, proxied: false, comment: "slipway" }],
      updates: [{ id: "r1", record: { type: "A", name: "a.example.com", content: "203.0.113.1", ttl: 300, proxied: false, comment: "slipway" } }],
      deletes: [],
      conflicts: [],
    });
    expect(() => planDnsRecords([{ hostname: "a.example.com", ipv4s: ["2001:db8::1"] }], [])).toThrow(
      "2001:db8::1 is not an IPv4 address (for a.example.com)",
    );
  });

  it("turns a plan into one batch", () => {
    const plan = planDnsRecords([{ hostname: "app.example.com", ipv4s: ["203.0.113.1", "203.0.113.2"] }], [
      a("r1", "app.example.com", "198.51.100.1"),
      a("r2", "app.example.com", "198.51.100.2"),
      a("r3", "app.example.com", "198.51.100.3"),
    ]);
    expect(dnsPlanToBatch(plan)).toEqual({
      deletes: [{ id: "r3" }],
      puts: [
        { id: "r1", ...want("app.example.com", "203.0.113.1") },
        { id: "r2", ...want("app.example.com", "203.0.113.2") },
      ],
      posts: [],
    });
  });
});
