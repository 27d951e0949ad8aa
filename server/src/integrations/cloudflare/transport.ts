// The one place that talks HTTP to Cloudflare's v4 API: bearer auth, the response envelope,
// per-attempt deadlines, bounded retries with backoff and jitter, and the rate limit: every call
// is taken from the token's budget shared by every replica (1,200 calls per 5 minutes), and a 429
// (which stops every call with the token) blocks that budget for all of them until it lifts.
import { setTimeout as sleepFor } from "node:timers/promises";
import { CLOUDFLARE_RATE_LIMIT, parseRateLimitHeader } from "@slipway/cloudflare-api";
import type { Dispatcher } from "undici";
import { backoffDelayMs, retryAfterMs, sendJson, type JsonResponse } from "../http.js";
import { budgetKey, takeFromBudget, type RateBudget, type RateLimit } from "../rate-budget.js";
import { CloudflareApiError, CloudflareRateLimitError, CloudflareUnavailableError, type CloudflareMessage } from "./errors.js";
import type { Envelope as CloudflareEnvelope } from "./types.js";

export interface CloudflareRetryPolicy {
  /** Attempts per call for 5xx, network errors and timeouts (the first try included). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Cloudflare's limit per token: 1,200 calls per five minutes. */
export const CLOUDFLARE_RATE_LIMITS: readonly RateLimit[] = [
  { requests: CLOUDFLARE_RATE_LIMIT.requests, windowMs: CLOUDFLARE_RATE_LIMIT.windowSeconds * 1000 },
];

export interface CloudflareRateLimitPolicy {
  /** What the token's shared budget allows; [] sends without pacing (429s still block it). */
  limits: readonly RateLimit[];
  /** Block after a 429 without a retry-after header (Cloudflare blocks for five minutes). */
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
  /** Shared by every client of the token, in this process and (cluster mode) every replica. */
  budget: RateBudget;
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
  private readonly budgetKey: string;

  constructor(private readonly options: CloudflareTransportOptions) {
    this.budgetKey = budgetKey("cloudflare", options.token);
  }

  async call<T>(spec: CloudflareCall<T>): Promise<Envelope<T>> {
    const url = new URL(`${this.options.apiUrl}${spec.path}`);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const label = `${spec.method} ${spec.path}`;
    let failures = 0;
    let waits = 0;
    let waitCause: "budget" | "429" = "budget";
    let uncertain = false;

    for (;;) {
      if (uncertain && spec.reconcile) {
        const adopted = await spec.reconcile();
        if (adopted !== undefined) return adopted;
      }
      await this.takeFromBudget(label, waitCause);
      waitCause = "budget";

      let response: JsonResponse;
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
        // The block covers every call with this token, not just this one.
        await this.options.budget.block(this.budgetKey, retryAfterMs(response.headers) ?? this.options.rateLimit.blockWaitMs);
        waitCause = "429";
        continue;
      }
      await this.holdIfSpent(response.headers);
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

  /** Takes this call from the token's budget, waiting as long as it must. */
  private async takeFromBudget(label: string, cause: "budget" | "429"): Promise<void> {
    await takeFromBudget(
      this.options.budget,
      this.budgetKey,
      this.options.rateLimit.limits,
      (delayMs) => this.options.onEvent?.({ kind: "rate-limited", call: label, delayMs, cause }),
      this.options.sleep,
    );
  }

  /** `Ratelimit: r=0;t=N`: one more call within N seconds would be refused and block the token for five minutes. */
  private async holdIfSpent(headers: JsonResponse["headers"]): Promise<void> {
    const header = headers["ratelimit"];
    const status = typeof header === "string" ? parseRateLimitHeader(header) : undefined;
    if (status?.remaining === 0 && status.resetSeconds > 0) await this.options.budget.block(this.budgetKey, status.resetSeconds * 1000);
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
