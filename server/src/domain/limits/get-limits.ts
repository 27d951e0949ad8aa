import type { Config } from "../../config.js";

/** The largest JSON (or other non-multipart) request body the API reads. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** What the API refuses as too large, published so clients check before they send. */
export interface Limits {
  maxRequestBytes: number;
  maxArchiveBytes: number;
  maxArchiveUnpackedBytes: number;
  maxArchiveEntries: number;
}

export function getLimits(config: Pick<Config, "archiveLimits">): Limits {
  return {
    maxRequestBytes: MAX_REQUEST_BYTES,
    maxArchiveBytes: config.archiveLimits.maxCompressedBytes,
    maxArchiveUnpackedBytes: config.archiveLimits.maxUncompressedBytes,
    maxArchiveEntries: config.archiveLimits.maxEntries,
  };
}

/** A multipart request (an archive upload) may carry the archive plus room for the GraphQL part. */
export function maxMultipartBytes(limits: Limits): number {
  return limits.maxArchiveBytes + limits.maxRequestBytes;
}
