// Which DNS changes make a hostname's proxied A records point at exactly the servers that run a
// service. Pure: the client lists the records, this plans, one batch applies the plan.
import { isIPv4 } from "node:net";
import type { DnsBatch, DnsRecord, DnsRecordInput } from "./types.js";

export interface DesiredHostname {
  hostname: string;
  /** The public addresses of the servers that serve the hostname; empty removes its A records. */
  ipv4s: string[];
}

export type ExistingRecord = Pick<DnsRecord, "id" | "type" | "name" | "content" | "proxied" | "ttl"> & { comment?: string | null };

export interface DnsPlan {
  creates: DnsRecordInput[];
  /** Records kept but changed, or reused for another address (fewer changes than delete + create). */
  updates: { id: string; record: DnsRecordInput }[];
  deletes: { id: string; name: string; content: string }[];
  /** Hostnames left alone because a record Slipway may not change (a CNAME, or an address record it does not own) holds the name. */
  conflicts: { hostname: string; id: string; type: string; content: string }[];
}

export interface DnsPlanOptions {
  /** Default true: traffic goes through Cloudflare, which is what the origin certificates expect. */
  proxied?: boolean;
  /** Default 1 (automatic), the only TTL a proxied record has. */
  ttl?: number;
  comment?: string;
  /**
   * Which existing records are Slipway's to change or delete (default: every A record). An A or
   * AAAA record it does not own at a name leaves that name alone, like a CNAME.
   */
  isOwned?: (record: ExistingRecord) => boolean;
}

// Records that say where a name's traffic goes: Slipway's A records must not mix with others'.
const ADDRESS_TYPES = new Set(["A", "AAAA", "CNAME"]);

/** Lowercase, without a trailing dot: the form Cloudflare returns names in. */
export function normalizeHostname(hostname: string): string {
  return hostname.trim().toLowerCase().replace(/\.$/, "");
}

/**
 * Plans the creates, updates and deletes that make the A records of each desired hostname equal
 * its addresses. Records of other names are never touched; neither are hostnames held by a CNAME
 * (reported as conflicts).
 */
export function planDnsRecords(desired: DesiredHostname[], existing: ExistingRecord[], options: DnsPlanOptions = {}): DnsPlan {
  const proxied = options.proxied ?? true;
  const ttl = options.ttl ?? 1;
  const plan: DnsPlan = { creates: [], updates: [], deletes: [], conflicts: [] };

  const wanted = new Map<string, string[]>();
  for (const { hostname, ipv4s } of desired) {
    const name = normalizeHostname(hostname);
    for (const ip of ipv4s) {
      if (!isIPv4(ip)) throw new TypeError(`${ip} is not an IPv4 address (for ${name})`);
    }
    wanted.set(name, [...new Set([...(wanted.get(name) ?? []), ...ipv4s])]);
  }

  for (const [name, ips] of wanted) {
    const atName = existing.filter((r) => normalizeHostname(r.name) === name);
    const isOwned = options.isOwned ?? (() => true);
    const foreign = atName.filter((r) => ADDRESS_TYPES.has(r.type) && (r.type !== "A" || !isOwned(r)));
    // Taking a name away removes only Slipway's own records; others' stay where they are.
    if (ips.length === 0) {
      for (const r of atName.filter((r) => r.type === "A" && isOwned(r))) plan.deletes.push({ id: r.id, name, content: r.content ?? "" });
      continue;
    }
    if (foreign.length > 0) {
      plan.conflicts.push(...foreign.map((r) => ({ hostname: name, id: r.id, type: r.type, content: r.content ?? "" })));
      continue;
    }
    const record = (content: string): DnsRecordInput => ({
      type: "A",
      name,
      content,
      ttl,
      proxied,
      ...(options.comment === undefined ? {} : { comment: options.comment }),
    });

    const covered = new Set<string>();
    const spare: ExistingRecord[] = [];
    for (const r of atName.filter((r) => r.type === "A")) {
      const content = r.content ?? "";
      if (ips.includes(content) && !covered.has(content)) {
        covered.add(content);
        if (r.proxied !== proxied || r.ttl !== ttl) plan.updates.push({ id: r.id, record: record(content) });
      } else {
        spare.push(r);
      }
    }
    const missing = ips.filter((ip) => !covered.has(ip));
    missing.forEach((ip, i) => {
      const reused = spare[i];
      if (reused) plan.updates.push({ id: reused.id, record: record(ip) });
      else plan.creates.push(record(ip));
    });
    for (const r of spare.slice(missing.length)) plan.deletes.push({ id: r.id, name, content: r.content ?? "" });
  }
  return plan;
}

export function isEmptyPlan(plan: DnsPlan): boolean {
  return plan.creates.length === 0 && plan.updates.length === 0 && plan.deletes.length === 0;
}

/** The plan as one Cloudflare batch (applied as a transaction: deletes, then puts, then posts). */
export function dnsPlanToBatch(plan: DnsPlan): DnsBatch {
  return {
    deletes: plan.deletes.map(({ id }) => ({ id })),
    puts: plan.updates.map(({ id, record }) => ({ id, ...record })),
    posts: plan.creates,
  };
}
