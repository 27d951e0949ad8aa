// Errors of the Cloudflare client. Messages name the call and Cloudflare's error codes and
// messages; they never carry the token or request headers.
import type { DnsPlan } from "./dns-plan.js";

import type { CloudflareMessage } from "./types.js";

export type { CloudflareMessage };

export class CloudflareError extends Error {
  override name = "CloudflareError";
}

/** Cloudflare answered with an error (after retries, where the error was retryable). */
export class CloudflareApiError extends CloudflareError {
  override name = "CloudflareApiError";
  constructor(
    readonly status: number,
    readonly errors: CloudflareMessage[],
    readonly call: string,
  ) {
    super(`Cloudflare ${call} failed with ${status}${errors.length ? `: ${errors.map(describe).join("; ")}` : ""}`);
  }

  /** Whether Cloudflare reported this error code (at the top level or in an error chain). */
  hasCode(code: number): boolean {
    const walk = (list: CloudflareMessage[] | undefined): boolean => (list ?? []).some((e) => e.code === code || walk(e.error_chain));
    return walk(this.errors);
  }
}

/** The call could not be completed: network errors or timeouts on every attempt. */
export class CloudflareUnavailableError extends CloudflareError {
  override name = "CloudflareUnavailableError";
  constructor(
    readonly call: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`Cloudflare ${call} failed after ${attempts} attempt(s): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Still rate limited after the allowed number of waits. */
export class CloudflareRateLimitError extends CloudflareError {
  override name = "CloudflareRateLimitError";
  constructor(
    readonly call: string,
    readonly waits: number,
  ) {
    super(`Cloudflare ${call}: still rate limited after waiting ${waits} time(s)`);
  }
}

function describe(error: CloudflareMessage): string {
  const chain = error.error_chain?.length ? ` (${error.error_chain.map(describe).join("; ")})` : "";
  return `${error.code} ${error.message}${chain}`;
}

/** A name is held by records Slipway may not change; nothing was changed. */
export class DnsConflictError extends CloudflareError {
  override name = "DnsConflictError";
  constructor(
    message: string,
    readonly conflicts: DnsPlan["conflicts"],
  ) {
    super(message);
  }
}
