// The one place that talks HTTP to Cloudflare's v4 API: bearer auth, the response envelope,
// per-attempt deadlines, bounded retries with backoff and jitter, and the rate limit: the client
// keeps under its own budget (1,200 calls per 5 minutes) and, after a 429, waits out the block
// (which stops every call with the token) before trying again.
import { setTimeout as sleepFor } from "node:timers/promises";
import type { Dispatcher } from "undici";
import { backoffDelayMs, sendJson } from "../http.js";
import { CloudflareApiError, CloudflareRateLimitError, CloudflareUnavailableError, type CloudflareMessage } from "./errors.js";
import type { Envelope as CloudflareEnvelope } from "./types.js";

export interface CloudflareRetryPolicy {
  /** Attempts per call for 5xx, network errors and timeouts (the first try included). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface CloudflareRateLimitPolicy {
  /** The client's own budget: at most `requests` calls per `windowMs`. */
  requests: number;
  windowMs: number;
  /** Wait after a 429 without a retry-after header (Cloudflare blocks for five minutes). */
  blockWaitMs: number;
  /** How many 429s one call may wait out before it fails. */
  maxWaits: number;
}

export type CloudflareTransportEvent =
  | { kind: "retry"; call: string; attempt: number; delayMs: number; reason: string }
  | { kind: "rate-limited"; call: string; delayMs: number; cause: "budget" | "429" };

export interface CloudflareTransportOptions {
  apiUrl: string;
  token: string;
  requestTimeoutMs: number;
  retry: CloudflareRetryPolicy;
  rateLimit: CloudflareRateLimitPolicy;
  dispatcher?: Dispatcher | undefined;
  onEvent?: ((event: CloudflareTransportEvent) => void) | undefined;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** What a call yields: the envelope's result (and paging), once `success` was checked. */
export type Envelope<T> = Pick<CloudflareEnvelope<T>, "result" | "result_info">;

export interface CloudflareCall<T> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Under the API base, e.g. "/zones". */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** The JSON body, or a function giving it afresh for each attempt. */
  body?: unknown;
  /**
   * For calls that are not safe to repeat: asked before every retry that follows an attempt whose
   * outcome is unknown; returns the call's result if that attempt took effect after all.
   */
  reconcile?: () => Promise<Envelope<T> | undefined>;
}

export const defaultSleep = (ms: number) => sleepFor(ms).then(() => undefined);

export class CloudflareTransport {
  private readonly sent: number[] = [];
  private blockedUntil = 0;

  constructor(private readonly options: CloudflareTransportOptions) {}

  async call<T>(spec: CloudflareCall<T>): Promise<Envelope<T>> {
    const url = new URL(`${this.options.apiUrl}${spec.path}`);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const label = `${spec.method} ${spec.path}`;
    let failures = 0;
    let waits = 0;
    let uncertain = false;

    for (;;) {
      if (uncertain && spec.reconcile) {
        const adopted = await spec.reconcile();
        if (adopted !== undefined) return adopted;
      }
      await this.waitForBudget(label);

      let response: { status: number; headers: Record<string, string | string[] | undefined>; body: unknown };
      try {
        const body = typeof spec.body === "function" ? (spec.body as () => unknown)() : spec.body;
        response = await this.send(spec.method, url, body);
      } catch (error) {
        failures += 1;
        if (failures >= this.options.retry.attempts) throw new CloudflareUnavailableError(label, failures, error);
        uncertain = true;
        await this.backoff(label, failures, errorReason(error));
        continue;
      }

      if (response.status === 429) {
        if (waits >= this.options.rateLimit.maxWaits) throw new CloudflareRateLimitError(label, waits);
        waits += 1;
        const retryAfter = Number(response.headers["retry-after"]);
        const delayMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : this.options.rateLimit.blockWaitMs;
        // The block covers every call with this token, not just this one.
        this.blockedUntil = Math.max(this.blockedUntil, Date.now() + delayMs);
        continue;
      }
      const envelope = (response.body ?? {}) as { success?: boolean; errors?: CloudflareMessage[] } & Envelope<T>;
      if (response.status >= 500) {
        failures += 1;
        if (failures >= this.options.retry.attempts) throw new CloudflareApiError(response.status, envelope.errors ?? [], label);
        uncertain = true;
        await this.backoff(label, failures, `status ${response.status}`);
        continue;
      }
      if (response.status >= 400 || envelope.success !== true) {
        throw new CloudflareApiError(response.status, envelope.errors ?? [], label);
      }
      return envelope.result_info ? { result: envelope.result, result_info: envelope.result_info } : { result: envelope.result };
    }
  }

  /** Waits out a 429 block, then until the client's own budget has room; counts the call. */
  private async waitForBudget(label: string): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (this.blockedUntil > now) {
        const delayMs = this.blockedUntil - now;
        this.options.onEvent?.({ kind: "rate-limited", call: label, delayMs, cause: "429" });
        await this.options.sleep(delayMs);
        continue;
      }
      const { requests, windowMs } = this.options.rateLimit;
      while (this.sent.length > 0 && this.sent[0]! <= now - windowMs) this.sent.shift();
      if (this.sent.length < requests) {
        this.sent.push(now);
        return;
      }
      const delayMs = this.sent[0]! + windowMs - now + 1;
      this.options.onEvent?.({ kind: "rate-limited", call: label, delayMs, cause: "budget" });
      await this.options.sleep(delayMs);
    }
  }

  private async send(method: string, url: URL, body: unknown) {
    return sendJson({
      method: method as Dispatcher.HttpMethod,
      url,
      token: this.options.token,
      body,
      timeoutMs: this.options.requestTimeoutMs,
      dispatcher: this.options.dispatcher,
    });
  }


  private async backoff(label: string, failures: number, reason: string): Promise<void> {
    const delayMs = backoffDelayMs(failures, this.options.retry, this.options.random);
    this.options.onEvent?.({ kind: "retry", call: label, attempt: failures + 1, delayMs, reason });
    await this.options.sleep(delayMs);
  }
}

function errorReason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? code : error.name;
  }
  return "network error";
}
