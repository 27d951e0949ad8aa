import { request } from "undici";

export interface JsonResponse {
  status: number;
  body: unknown;
}

/** One JSON call with a bearer token and a deadline. The token never appears in errors. */
export async function getJsonWithBearer(url: string, token: string, timeoutMs = 10_000): Promise<JsonResponse> {
  const response = await request(url, {
    method: "GET",
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.body.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: response.statusCode, body };
}
