// The one place that talks HTTP to DigitalOcean: bearer auth, per-attempt deadlines, bounded
// retries with exponential backoff and jitter, and the rate limit: every call is taken from the
// token's budget shared by every replica, and a 429 (or a spent hourly quota) blocks that budget
// for all of them until DigitalOcean says calls may go again.
import { setTimeout as sleepFor } from "node:timers/promises";
import type { Dispatcher } from "undici";
import { backoffDelayMs, retryAfterMs, sendJson, type JsonResponse } from "../http.js";
import { budgetKey, takeFromBudget, type RateBudget, type RateLimit } from "../rate-budget.js";
import {
  DigitalOceanApiError, DigitalOceanError, DigitalOceanRateLimitError, DigitalOceanUnavailableError,
} from "./errors.js";

export interface RetryPolicy {
  /** Attempts per call for 5xx, network errors and timeouts (the first try included). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * DigitalOcean's limits per token: "5000 requests per hour and 250 requests per minute" (the
 * `ratelimit-limit` header in its OpenAPI description).
 */
export const DIGITALOCEAN_RATE_LIMITS: readonly RateLimit[] = [
  { requests: 250, windowMs: 60_000 },
  { requests: 5_000, windowMs: 3_600_000 },
];

export interface RateLimitPolicy {
  /** What the token's shared budget allows; [] sends without pacing (429s still block it). */
  limits: readonly RateLimit[];
  /** Block after a 429 that carries neither `retry-after` nor a spent hourly quota; doubles up to maxWaitMs. */
  initialWaitMs: number;
  maxWaitMs: number;
  /** The most one call may spend waiting for the rate limit before it fails. */
  totalWaitMs: number;
}

export type TransportEvent =
  | { kind: "retry"; call: string; attempt: number; delayMs: number; reason: string }
  | { kind: "rate-limited"; call: string; delayMs: number; cause: "budget" | "429" };

export interface TransportOptions {
  apiUrl: string;
  token: string;
  /** Shared by every client of the token, in this process and (cluster mode) every replica. */
  budget: RateBudget;
  requestTimeoutMs: number;
  retry: RetryPolicy;
  rateLimit: RateLimitPolicy;
  dispatcher?: Dispatcher | undefined;
  onEvent?: ((event: TransportEvent) => void) | undefined;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface CallSpec {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** A path under the API ("/v2/droplets") or an absolute URL on the API's origin (pagination links). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** The JSON body, or a function giving it afresh for each attempt. */
  body?: unknown;
  /**
   * For calls that are not safe to repeat: asked before every retry that follows an attempt whose
   * outcome is unknown (a lost response, a timeout, a 5xx). It returns the call's result if the
   * earlier attempt took effect after all; `undefined` lets the call be sent again.
   */
  reconcile?: () => Promise<ApiResponse | undefined>;
}

export const defaultSleep = (ms: number) => sleepFor(ms).then(() => undefined);

export class DigitalOceanTransport {
  private readonly origin: string;
  private readonly budgetKey: string;

  constructor(private readonly options: TransportOptions) {
    this.origin = new URL(options.apiUrl).origin;
    this.budgetKey = budgetKey("digitalocean", options.token);
  }

  async call(spec: CallSpec): Promise<ApiResponse> {
    const url = this.urlFor(spec);
    const label = `${spec.method} ${url.pathname}`;
    let failures = 0;
    let rateLimitWaits = 0;
    let rateLimitWaited = 0;
    let waitCause: "budget" | "429" = "budget";
    let uncertain = false;
    let lastFailure: unknown;

    for (;;) {
      if (uncertain && spec.reconcile) {
        const adopted = await spec.reconcile();
        if (adopted !== undefined) return adopted;
      }
      rateLimitWaited += await this.takeFromBudget(label, rateLimitWaited, waitCause);
      waitCause = "budget";

      let response: JsonResponse;
      try {
        response = await this.send(spec.method, url, typeof spec.body === "function" ? (spec.body as () => unknown)() : spec.body);
      } catch (error) {
        failures += 1;
        lastFailure = error;
        if (failures >= this.options.retry.attempts) throw new DigitalOceanUnavailableError(label, failures, lastFailure);
        uncertain = true;
        await this.backoff(label, failures, errorReason(error));
        continue;
      }

      if (response.status === 429) {
        await this.options.budget.block(this.budgetKey, this.blockAfterRateLimited(response.headers, rateLimitWaits));
        rateLimitWaits += 1;
        waitCause = "429";
        continue;
      }
      const spentForMs = hourlyQuotaSpentForMs(response.headers);
      if (spentForMs !== undefined) await this.options.budget.block(this.budgetKey, spentForMs);
      if (response.status >= 500) {
        failures += 1;
        if (failures >= this.options.retry.attempts) throw apiError(response, label);
        uncertain = true;
        await this.backoff(label, failures, `status ${response.status}`);
        continue;
      }
      if (response.status >= 400) throw apiError(response, label);
      return { status: response.status, body: response.body };
    }
  }

  private urlFor(spec: CallSpec): URL {
    const url = new URL(spec.path, `${this.options.apiUrl}/`);
    // Pagination links are absolute: never send the token to another origin.
    if (url.origin !== this.origin) throw new DigitalOceanError(`Refusing to follow a link off the API's origin: ${url.origin}`);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  private async send(method: CallSpec["method"], url: URL, body: unknown) {
    return sendJson({
      method,
      url,
      token: this.options.token,
      body,
      timeoutMs: this.options.requestTimeoutMs,
      dispatcher: this.options.dispatcher,
    });
  }

  /** Takes this call from the token's budget, waiting if it must; returns the time waited. */
  private async takeFromBudget(label: string, alreadyWaited: number, cause: "budget" | "429"): Promise<number> {
    let waited = 0;
    await takeFromBudget(
      this.options.budget,
      this.budgetKey,
      this.options.rateLimit.limits,
      (delayMs) => {
        if (alreadyWaited + waited + delayMs > this.options.rateLimit.totalWaitMs) throw new DigitalOceanRateLimitError(label, delayMs);
        this.options.onEvent?.({ kind: "rate-limited", call: label, delayMs, cause });
        waited += delayMs;
      },
      this.options.sleep,
    );
    return waited;
  }

  /**
   * How long a 429 blocks the token: the burst (per-minute) limit's 429 says `retry-after`
   * seconds; with the hourly quota spent, until `ratelimit-reset` (when the oldest request
   * expires); otherwise back off, doubling per 429 this call met.
   */
  private blockAfterRateLimited(headers: JsonResponse["headers"], waitsSoFar: number): number {
    const { initialWaitMs, maxWaitMs } = this.options.rateLimit;
    return retryAfterMs(headers) ?? hourlyQuotaSpentForMs(headers) ?? Math.min(maxWaitMs, initialWaitMs * 2 ** waitsSoFar);
  }

  private async backoff(label: string, failures: number, reason: string): Promise<void> {
    const delayMs = backoffDelayMs(failures, this.options.retry, this.options.random);
    this.options.onEvent?.({ kind: "retry", call: label, attempt: failures + 1, delayMs, reason });
    await this.options.sleep(delayMs);
  }
}

/** With `ratelimit-remaining: 0`, the ms until `ratelimit-reset` (epoch seconds) frees a request. */
function hourlyQuotaSpentForMs(headers: JsonResponse["headers"]): number | undefined {
  if (headers["ratelimit-remaining"] !== "0") return undefined;
  const resetMs = Number(headers["ratelimit-reset"]) * 1000 - Date.now();
  return Number.isFinite(resetMs) && resetMs > 0 ? resetMs : undefined;
}

function apiError(response: ApiResponse, label: string): DigitalOceanApiError {
  const body = (response.body ?? {}) as { id?: unknown; message?: unknown };
  return new DigitalOceanApiError(
    response.status,
    typeof body.id === "string" ? body.id : undefined,
    typeof body.message === "string" ? body.message : undefined,
    label,
  );
}

function errorReason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? code : error.name;
  }
  return "network error";
}
