// The one place that talks HTTP to DigitalOcean: bearer auth, per-attempt deadlines, bounded
// retries with exponential backoff and jitter, and waiting out the rate limit instead of failing.
import { setTimeout as sleepFor } from "node:timers/promises";
import type { Dispatcher } from "undici";
import { backoffDelayMs, sendJson } from "../http.js";
import {
  DigitalOceanApiError, DigitalOceanError, DigitalOceanRateLimitError, DigitalOceanUnavailableError,
} from "./errors.js";

export interface RetryPolicy {
  /** Attempts per call for 5xx, network errors and timeouts (the first try included). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RateLimitPolicy {
  /** First wait after a 429 that names no reset time we must honour; doubles up to maxWaitMs. */
  initialWaitMs: number;
  maxWaitMs: number;
  /** The most one call may spend waiting for the rate limit before it fails. */
  totalWaitMs: number;
  /**
   * Calls this client sends in any 60 s (DigitalOcean allows 250 a minute per token). The headers
   * describe only the hourly budget, so the client paces itself to the per-minute one instead of
   * learning it from 429s; 0 turns pacing off.
   */
  perMinute: number;
}

export type TransportEvent =
  | { kind: "retry"; call: string; attempt: number; delayMs: number; reason: string }
  | { kind: "rate-limited"; call: string; delayMs: number; remaining: number | undefined };

export interface TransportOptions {
  apiUrl: string;
  token: string;
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

const MINUTE_MS = 60_000;

export const defaultSleep = (ms: number) => sleepFor(ms).then(() => undefined);

export class DigitalOceanTransport {
  private readonly origin: string;
  /** The last ratelimit-* headers seen: the hourly budget left and when one slot frees. */
  private budget: { remaining: number; resetAtMs: number } | undefined;
  /** Calls sent whose answer has not come yet: each may already count against the minute. */
  private inFlight = 0;
  /** When the answers to recent calls came, oldest first (DigitalOcean counted each call by then). */
  private readonly answeredAt: number[] = [];

  constructor(private readonly options: TransportOptions) {
    this.origin = new URL(options.apiUrl).origin;
  }

  async call(spec: CallSpec): Promise<ApiResponse> {
    const url = this.urlFor(spec);
    const label = `${spec.method} ${url.pathname}`;
    let failures = 0;
    let rateLimitWaits = 0;
    let rateLimitWaited = 0;
    let uncertain = false;
    let lastFailure: unknown;

    for (;;) {
      if (uncertain && spec.reconcile) {
        const adopted = await spec.reconcile();
        if (adopted !== undefined) return adopted;
      }
      rateLimitWaited += await this.waitForBudget(label, rateLimitWaited);
      rateLimitWaited += await this.pace(label, rateLimitWaited);

      let response: ApiResponse & { headers: Record<string, string | string[] | undefined> };
      try {
        response = await this.counted(() => this.send(spec.method, url, typeof spec.body === "function" ? (spec.body as () => unknown)() : spec.body));
      } catch (error) {
        failures += 1;
        lastFailure = error;
        if (failures >= this.options.retry.attempts) throw new DigitalOceanUnavailableError(label, failures, lastFailure);
        uncertain = true;
        await this.backoff(label, failures, errorReason(error));
        continue;
      }
      this.observe(response.headers);

      if (response.status === 429) {
        const delayMs = this.rateLimitDelay(rateLimitWaits);
        if (rateLimitWaited + delayMs > this.options.rateLimit.totalWaitMs) throw new DigitalOceanRateLimitError(label, delayMs);
        rateLimitWaits += 1;
        rateLimitWaited += delayMs;
        this.options.onEvent?.({ kind: "rate-limited", call: label, delayMs, remaining: this.budget?.remaining });
        await this.options.sleep(delayMs);
        continue;
      }
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


  private observe(headers: Record<string, string | string[] | undefined>): void {
    const remaining = Number(headers["ratelimit-remaining"]);
    const reset = Number(headers["ratelimit-reset"]);
    if (Number.isFinite(remaining) && Number.isFinite(reset) && headers["ratelimit-remaining"] !== undefined) {
      this.budget = { remaining, resetAtMs: reset * 1000 };
    }
  }

  /** Waits while the last response said the budget is spent; returns the time waited. */
  private async waitForBudget(label: string, alreadyWaited: number): Promise<number> {
    const budget = this.budget;
    if (!budget || budget.remaining > 0) return 0;
    const delayMs = budget.resetAtMs - Date.now();
    if (delayMs <= 0) return 0;
    if (alreadyWaited + delayMs > this.options.rateLimit.totalWaitMs) throw new DigitalOceanRateLimitError(label, delayMs);
    this.options.onEvent?.({ kind: "rate-limited", call: label, delayMs, remaining: 0 });
    await this.options.sleep(delayMs);
    this.budget = undefined; // the next response tells the truth again
    return delayMs;
  }

  /**
   * Waits until sending one more call keeps this client within `perMinute` calls in any 60 s,
   * then counts it; returns the time waited. Waiters wake when the oldest call leaves the window.
   */
  /** Ends a call paced by pace(): it leaves the in-flight count and is counted as answered now. */
  private async counted<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } finally {
      this.inFlight -= 1;
      this.answeredAt.push(Date.now());
    }
  }

  private async pace(label: string, alreadyWaited: number): Promise<number> {
    const limit = this.options.rateLimit.perMinute;
    if (!(limit > 0)) {
      this.inFlight += 1;
      return 0;
    }
    let waited = 0;
    for (;;) {
      const now = Date.now();
      while (this.answeredAt.length > 0 && this.answeredAt[0]! <= now - MINUTE_MS) this.answeredAt.shift();
      const used = this.inFlight + this.answeredAt.length;
      if (used < limit) {
        this.inFlight += 1;
        return waited;
      }
      // The slot that frees first: the oldest answered call that keeps the window full (answer
      // times are late enough to be safe: DigitalOcean counted each call before it answered).
      const oldest = this.answeredAt[used - limit];
      const delayMs = oldest === undefined ? 50 : oldest + MINUTE_MS - now + 1;
      if (alreadyWaited + waited + delayMs > this.options.rateLimit.totalWaitMs) throw new DigitalOceanRateLimitError(label, delayMs);
      this.options.onEvent?.({ kind: "rate-limited", call: label, delayMs, remaining: this.budget?.remaining });
      await this.options.sleep(delayMs);
      waited += delayMs;
    }
  }

  /**
   * After a 429: with the hourly budget spent, wait until a slot frees (ratelimit-reset);
   * otherwise the per-minute limit was hit, which the headers do not describe: back off.
   */
  private rateLimitDelay(waitsSoFar: number): number {
    const { initialWaitMs, maxWaitMs } = this.options.rateLimit;
    const backoff = Math.min(maxWaitMs, initialWaitMs * 2 ** waitsSoFar);
    const jittered = backoff / 2 + this.options.random() * (backoff / 2);
    const budget = this.budget;
    if (budget && budget.remaining === 0) return Math.max(budget.resetAtMs - Date.now(), jittered);
    return jittered;
  }

  private async backoff(label: string, failures: number, reason: string): Promise<void> {
    const delayMs = backoffDelayMs(failures, this.options.retry, this.options.random);
    this.options.onEvent?.({ kind: "retry", call: label, attempt: failures + 1, delayMs, reason });
    await this.options.sleep(delayMs);
  }
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
