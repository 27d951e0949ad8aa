// Cloudflare shapes, from the official SDK's type declarations (type-only: the SDK is not run).
import type { OriginCACertificate } from "cloudflare/resources/origin-ca-certificates/origin-ca-certificates";
import type { RecordBatchResponse, RecordResponse } from "cloudflare/resources/dns/records";
import type { Zone } from "cloudflare/resources/zones/zones";

export type { Zone };
export type DnsRecord = RecordResponse;
export type DnsBatchResult = RecordBatchResponse;

/** The record types Slipway writes. */
export type DnsRecordType = "A" | "AAAA" | "CNAME" | "TXT";

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

/** Validities (days) the Origin CA accepts. */
export const ORIGIN_CA_VALIDITIES = [7, 30, 90, 365, 730, 1095, 5475] as const;
export type OriginCaValidityDays = (typeof ORIGIN_CA_VALIDITIES)[number];
export type OriginCaRequestType = "origin-rsa" | "origin-ecc";

export type OriginCertificate = OriginCACertificate & { id: string; certificate: string; expires_on: string };

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}
