// The shapes of Cloudflare's v4 API that Slipway's client and the lab's simulator both speak,
// taken from the official SDK's type declarations (type-only: the SDK is not run), plus the
// documented rules both sides apply (record types, TTLs, Origin CA validities, rate limits).
import type { RecordBatchResponse, RecordResponse } from "cloudflare/resources/dns/records";
import type { OriginCACertificate } from "cloudflare/resources/origin-ca-certificates/origin-ca-certificates";
import type { Zone } from "cloudflare/resources/zones/zones";

export type { Zone };
export type DnsRecord = RecordResponse;
export type DnsBatchResult = RecordBatchResponse;

/** The record types Slipway writes (and the lab serves): address, alias and text records. */
export const DNS_RECORD_TYPES = ["A", "AAAA", "CNAME", "TXT"] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];
/** A record of one of those types, as the API returns it. */
export type SlipwayDnsRecord = RecordResponse.ARecord | RecordResponse.AAAARecord | RecordResponse.CNAMERecord | RecordResponse.TXTRecord;

/** What is sent to create or replace a record (a subset of the SDK's record params). */
export interface DnsRecordInput {
  type: DnsRecordType;
  /** The full name, e.g. "app.example.com". */
  name: string;
  content: string;
  /** 1 means automatic (the only value proxied records use). */
  ttl: number;
  proxied?: boolean;
  comment?: string;
}

export interface DnsBatch {
  deletes?: { id: string }[];
  patches?: ({ id: string } & Partial<DnsRecordInput>)[];
  puts?: ({ id: string } & DnsRecordInput)[];
  posts?: DnsRecordInput[];
}

/** TTL 1 is "automatic"; otherwise 60..86400 seconds, from 30 on Enterprise zones. */
export const AUTOMATIC_TTL = 1;
export const MAX_TTL = 86_400;
export function minimumTtl(zone: Pick<Zone, "plan">): number {
  return zone.plan?.legacy_id === "enterprise" ? 30 : 60;
}

/** Validities (days) the Origin CA accepts. */
export const ORIGIN_CA_VALIDITIES = [7, 30, 90, 365, 730, 1095, 5475] as const;
export type OriginCaValidityDays = (typeof ORIGIN_CA_VALIDITIES)[number];
export type OriginCaRequestType = "origin-rsa" | "origin-ecc";

/** An issued origin certificate; its `id` is the certificate's serial number (decimal). */
export type OriginCertificate = OriginCACertificate & { id: string; certificate: string; expires_on: string };

/** One entry of an envelope's `errors` or `messages`. */
export interface CloudflareMessage {
  code: number;
  message: string;
  error_chain?: CloudflareMessage[];
}

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

/** Every response: {success, errors, messages, result, result_info on lists}. */
export interface Envelope<T> {
  success: boolean;
  errors: CloudflareMessage[];
  messages: CloudflareMessage[];
  result: T;
  result_info?: ResultInfo;
}

/** 1,200 calls per five minutes per token; going over blocks every call for five minutes. */
export const CLOUDFLARE_RATE_LIMIT = { requests: 1200, windowSeconds: 300, blockSeconds: 300 } as const;

/**
 * The rate-limit headers of every response (IETF draft style): `Ratelimit: "default";r=50;t=30`
 * (remaining calls, seconds until the window resets) and `Ratelimit-Policy: "default";q=1200;w=300`;
 * a 429 also carries `Retry-After` (seconds).
 */
export function rateLimitHeaders(
  remaining: number,
  resetSeconds: number,
  policy: { requests: number; windowSeconds: number } = CLOUDFLARE_RATE_LIMIT,
): Record<string, string> {
  return {
    ratelimit: `"default";r=${remaining};t=${resetSeconds}`,
    "ratelimit-policy": `"default";q=${policy.requests};w=${policy.windowSeconds}`,
  };
}

/** Reads a `Ratelimit` header as `rateLimitHeaders` writes it: remaining calls and seconds until the window resets. */
export function parseRateLimitHeader(value: string): { remaining: number; resetSeconds: number } | undefined {
  const remaining = /;\s*r=(\d+)/.exec(value)?.[1];
  const resetSeconds = /;\s*t=(\d+)/.exec(value)?.[1];
  return remaining === undefined || resetSeconds === undefined ? undefined : { remaining: Number(remaining), resetSeconds: Number(resetSeconds) };
}
