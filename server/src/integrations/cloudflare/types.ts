// Names for the Cloudflare shapes Slipway uses, all from @slipway/cloudflare-api (which the lab's
// simulator speaks too).
export type {
  CloudflareMessage,
  DnsBatch,
  DnsBatchResult,
  DnsRecord,
  DnsRecordInput,
  DnsRecordType,
  Envelope,
  OriginCaRequestType,
  OriginCaValidityDays,
  OriginCertificate,
  ResultInfo,
  Zone,
} from "@slipway/cloudflare-api";
export { ORIGIN_CA_VALIDITIES } from "@slipway/cloudflare-api";
