export {
  DigitalOceanClient, DEFAULT_DIGITALOCEAN_API_URL, DEFAULT_MANAGED_TAG, sshKeyFingerprint,
  type ActionPolicy, type CreateDropletsInput, type CreateDropletsOptions, type DigitalOceanClientOptions, type ListImagesFilter,
} from "./client.js";
export {
  DigitalOceanActionError, DigitalOceanActionTimeoutError, DigitalOceanApiError, DigitalOceanError, DigitalOceanRateLimitError,
  DigitalOceanUnavailableError, UnmanagedDropletError,
} from "./errors.js";
export { DIGITALOCEAN_RATE_LIMITS, type RateLimitPolicy, type RetryPolicy, type TransportEvent } from "./transport.js";
export type * from "./types.js";
export { verifyDigitalOceanToken } from "./verify-token.js";
