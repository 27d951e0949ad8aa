// Errors of the DigitalOcean client. Messages name the call (method and path) and DigitalOcean's
// own error id and message; they never carry the token or request headers.
import type { Action, Droplet } from "./types.js";

export class DigitalOceanError extends Error {
  override name = "DigitalOceanError";
}

/** DigitalOcean answered with an error status (after retries, where the status was retryable). */
export class DigitalOceanApiError extends DigitalOceanError {
  override name = "DigitalOceanApiError";
  constructor(
    readonly status: number,
    /** DigitalOcean's machine-readable error id, e.g. "not_found", "unprocessable_entity". */
    readonly id: string | undefined,
    readonly apiMessage: string | undefined,
    readonly call: string,
  ) {
    super(`DigitalOcean ${call} failed with ${status}${id ? ` ${id}` : ""}${apiMessage ? `: ${apiMessage}` : ""}`);
  }
}

/** The call could not be completed: network errors or timeouts on every attempt. */
export class DigitalOceanUnavailableError extends DigitalOceanError {
  override name = "DigitalOceanUnavailableError";
  constructor(
    readonly call: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`DigitalOcean ${call} failed after ${attempts} attempt(s): ${describeCause(cause)}`, { cause });
  }
}

/** The rate limit would need a longer wait than the client is allowed. */
export class DigitalOceanRateLimitError extends DigitalOceanError {
  override name = "DigitalOceanRateLimitError";
  constructor(
    readonly call: string,
    readonly waitMs: number,
  ) {
    super(`DigitalOcean ${call}: the rate limit would need a wait of ${Math.ceil(waitMs / 1000)} s, more than allowed`);
  }
}

/** A DigitalOcean action ended "errored". */
export class DigitalOceanActionError extends DigitalOceanError {
  override name = "DigitalOceanActionError";
  constructor(readonly action: Action) {
    super(
      `DigitalOcean action ${action.id} (${action.type ?? "unknown"}) on ${action.resource_type ?? "resource"} ${action.resource_id ?? "?"} errored`,
    );
  }
}

/** An action was still in progress when the client stopped waiting for it. */
export class DigitalOceanActionTimeoutError extends DigitalOceanError {
  override name = "DigitalOceanActionTimeoutError";
  constructor(
    readonly action: Action,
    readonly timeoutMs: number,
  ) {
    super(`DigitalOcean action ${action.id} (${action.type ?? "unknown"}) was still in progress after ${Math.round(timeoutMs / 1000)} s`);
  }
}

/** Refused: the droplet does not carry the managed tag and the caller did not force it. */
export class UnmanagedDropletError extends DigitalOceanError {
  override name = "UnmanagedDropletError";
  constructor(
    readonly droplet: Pick<Droplet, "id" | "name" | "tags">,
    readonly managedTag: string,
  ) {
    super(`Droplet ${droplet.id} (${droplet.name}) does not carry the tag "${managedTag}": Slipway does not manage it; refusing unless forced`);
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" ? `${cause.message} (${code})` : cause.message;
  }
  return String(cause);
}
