export { CloudflareClient, DEFAULT_CLOUDFLARE_API_URL, type CloudflareClientOptions, type CreateOriginCertificateInput } from "./client.js";
export {
  dnsPlanToBatch, isEmptyPlan, normalizeHostname, planDnsRecords, type DesiredHostname, type DnsPlan, type DnsPlanOptions, type ExistingRecord,
} from "./dns-plan.js";
export { CloudflareApiError, CloudflareError, CloudflareRateLimitError, CloudflareUnavailableError, DnsConflictError, type CloudflareMessage } from "./errors.js";
export { generateOriginCsr, type OriginCsr, type OriginKeyType } from "./origin-csr.js";
export { CLOUDFLARE_RATE_LIMITS, type CloudflareRateLimitPolicy, type CloudflareRetryPolicy, type CloudflareTransportEvent } from "./transport.js";
export * from "./types.js";
export { verifyCloudflareToken } from "./verify-token.js";
