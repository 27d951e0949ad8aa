import { isIPv4, isIPv6 } from "node:net";
import { z } from "zod";
import { CloudflareError } from "./envelope.js";
import { AUTOMATIC_TTL, DNS_RECORD_TYPES, MAX_TTL, minimumTtl, type DnsRecordType, type Zone } from "@slipway/cloudflare-api";

// Checks DNS record input the way Cloudflare does: a supported type, a name inside the zone,
// content that fits the type, a TTL of 1 (automatic) or 60..86400 (30.. on Enterprise zones),
// proxying only for address and alias records. Failures are Cloudflare's "DNS Validation Error"
// (1004).

export const recordInputSchema = z.object({
  type: z.string(),
  name: z.string(),
  content: z.string(),
  ttl: z.number().int().default(1),
  proxied: z.boolean().optional(),
  comment: z.string().max(100).optional(),
  tags: z.array(z.string()).optional(),
});
export type RecordInput = z.input<typeof recordInputSchema>;

export interface ValidRecord {
  type: DnsRecordType;
  name: string;
  content: string;
  ttl: number;
  proxied: boolean;
  comment?: string;
  tags: string[];
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

export function dnsValidationError(message: string, code: number): CloudflareError {
  return new CloudflareError(400, 1004, "DNS Validation Error", [{ code, message }]);
}

export function isHostname(name: string): boolean {
  const labels = name.split(".");
  return name.length <= 253 && labels.every((label, i) => (i === 0 && label === "*") || LABEL.test(label));
}

/** Validates raw input (already shaped like a record) for a zone; names may be given relative to it. */
export function validateRecord(raw: unknown, zone: Pick<Zone, "name" | "plan">): ValidRecord {
  const zoneName = zone.name;
  const parsed = recordInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CloudflareError(400, 9207, "Request body is invalid.", parsed.error.issues.map((i) => ({
      code: 9207,
      message: `${i.path.join(".") || "body"}: ${i.message}`,
    })));
  }
  const input = parsed.data;
  if (!(DNS_RECORD_TYPES as readonly string[]).includes(input.type)) {
    throw dnsValidationError(`DNS record type "${input.type}" is invalid.`, 9004);
  }
  const type = input.type as DnsRecordType;
  const lower = input.name.toLowerCase().replace(/\.$/, "");
  const name = lower === "@" ? zoneName : lower === zoneName || lower.endsWith(`.${zoneName}`) ? lower : `${lower}.${zoneName}`;
  if (!isHostname(name)) throw dnsValidationError(`DNS record name "${input.name}" is invalid.`, 9005);
  if (type === "A" && !isIPv4(input.content)) throw dnsValidationError("Content for A record must be a valid IPv4 address.", 9005);
  if (type === "AAAA" && !isIPv6(input.content)) throw dnsValidationError("Content for AAAA record must be a valid IPv6 address.", 9005);
  if (type === "CNAME" && !isHostname(input.content.toLowerCase())) throw dnsValidationError("Content for CNAME record is invalid.", 9007);
  if (type === "TXT" && input.content.length > 2048) throw dnsValidationError("TXT content is longer than 2048 characters.", 9100);
  const minTtl = minimumTtl(zone);
  if (input.ttl !== AUTOMATIC_TTL && (input.ttl < minTtl || input.ttl > MAX_TTL)) {
    throw dnsValidationError(`TTL must be between ${minTtl} and ${MAX_TTL} seconds, or 1 for Automatic.`, 9021);
  }
  if (input.proxied && type === "TXT") throw dnsValidationError("TXT records cannot be proxied.", 9004);
  return {
    type,
    name,
    content: type === "CNAME" ? input.content.toLowerCase() : input.content,
    ttl: input.ttl,
    proxied: input.proxied ?? false,
    ...(input.comment === undefined ? {} : { comment: input.comment }),
    tags: input.tags ?? [],
  };
}
