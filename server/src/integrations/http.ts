import { request, type Dispatcher } from "undici";

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed body, or null when it was empty or not JSON. */
  body: unknown;
}

export interface JsonCall {
  method: Dispatcher.HttpMethod;
  url: URL | string;
  token: string;
  body?: unknown;
  timeoutMs: number;
  dispatcher?: Dispatcher;
}

/** One JSON call with a bearer token and a deadline. The token never appears in errors. */
export async function sendJson(call: JsonCall): Promise<JsonResponse> {
  const response = await request(call.url, {
    method: call.method,
    headers: {
      authorization: `Bearer ${call.token}`,
      accept: "application/json",
      ...(call.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    headersTimeout: call.timeoutMs,
    bodyTimeout: call.timeoutMs,
    signal: AbortSignal.timeout(call.timeoutMs),
    ...(call.dispatcher ? { dispatcher: call.dispatcher } : {}),
  });
  const text = await response.body.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: response.statusCode, headers: response.headers, body };
}

/** `Retry-After` in ms, when the answer carries it as seconds (as DigitalOcean and Cloudflare send it). */
export function retryAfterMs(headers: JsonResponse["headers"]): number | undefined {
  const value = headers["retry-after"];
  const seconds = typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export function getJsonWithBearer(url: string, token: string, timeoutMs = 10_000): Promise<JsonResponse> {
  return sendJson({ method: "GET", url, token, timeoutMs });
}

/**
 * Exponential backoff with "equal jitter": the n-th retry waits between half and all of
 * min(max, base * 2^(n-1)), so clients that failed together do not retry together.
 */
export function backoffDelayMs(failures: number, retry: { baseDelayMs: number; maxDelayMs: number }, random: () => number): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (failures - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
