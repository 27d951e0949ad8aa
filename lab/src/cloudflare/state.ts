import { randomBytes } from "node:crypto";
import type { OriginCertificate, SlipwayDnsRecord, Zone } from "@slipway/cloudflare-api";

// What the simulated Cloudflare account holds, in the API's own types (@slipway/cloudflare-api,
// which Slipway's client uses too). The lab serves the record types Slipway writes.

export type LabRecord = SlipwayDnsRecord;

export interface CertificateRecord extends OriginCertificate {
  revokedAt?: Date;
}

/** Cloudflare ids are 32 lowercase hex characters. */
export const cloudflareId = () => randomBytes(16).toString("hex");

export class CloudflareState {
  readonly zones = new Map<string, Zone>();
  /** Records per zone id, by record id. */
  readonly records = new Map<string, Map<string, LabRecord>>();
  readonly certificates = new Map<string, CertificateRecord>();

  addZone(name: string): Zone {
    const now = new Date().toISOString();
    const zone: Zone = {
      id: cloudflareId(),
      name,
      status: "active",
      paused: false,
      type: "full",
      development_mode: 0,
      name_servers: ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"],
      original_name_servers: null,
      original_registrar: null,
      original_dnshost: null,
      created_on: now,
      modified_on: now,
      activated_on: now,
      account: { id: "0123456789abcdef0123456789abcdef", name: "Slipway Lab" },
      owner: { type: "user" },
      meta: { cdn_only: false, custom_certificate_quota: 0, dns_only: false, foundation_dns: false, page_rule_quota: 3, phishing_detected: false, step: 2 },
      permissions: ["#dns_records:edit", "#dns_records:read", "#zone:read"],
      plan: { id: "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee", name: "Free Website", price: 0, currency: "USD", frequency: "", is_subscribed: false, can_subscribe: false, legacy_id: "free", legacy_discount: false, externally_managed: false },
    };
    this.zones.set(zone.id, zone);
    this.records.set(zone.id, new Map());
    return zone;
  }

  /** The zone a hostname belongs to (the longest matching zone name), if any. */
  zoneOf(hostname: string): Zone | undefined {
    const bare = hostname.replace(/^\*\./, "");
    return [...this.zones.values()]
      .filter((z) => bare === z.name || bare.endsWith(`.${z.name}`))
      .sort((a, b) => b.name.length - a.name.length)[0];
  }
}
