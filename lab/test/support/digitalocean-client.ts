import { request } from "undici";
import { DigitalOceanSpec } from "../../src/digitalocean/openapi.js";

// A DigitalOcean client for tests that holds both sides to the OpenAPI description: every
// request it sends must be valid (unless the test says it sends a bad one on purpose) and
// every response must be declared by the spec for that operation and status.

const spec = new DigitalOceanSpec();

export interface CallOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean>;
  token?: string | null;
  /** The test sends an invalid request on purpose; skip the request check. */
  invalidOnPurpose?: boolean;
}

export interface CallResult<T> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

export class SpecViolation extends Error {}

export function digitalOceanClient(baseUrl: string, defaultToken: string) {
  return async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
    const query = new URLSearchParams(Object.entries(options.query ?? {}).map(([k, v]): [string, string] => [k, String(v)]));
    if (!options.invalidOnPurpose) {
      const problems = spec.validateRequest({ method, path, query, body: options.body });
      if (problems.length > 0) throw new SpecViolation(`request ${method} ${path}: ${problems.join("; ")}`);
    }
    const token = options.token === undefined ? defaultToken : options.token;
    const search = query.toString();
    const res = await request(`${baseUrl}${path}${search ? `?${search}` : ""}`, {
      method: method as "GET",
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await res.body.text();
    const body = text === "" ? undefined : (JSON.parse(text) as unknown);
    const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]): [string, string] => [k, String(v)]));
    const problems = spec.validateResponse({ method, path, query, status: res.statusCode, headers, responseBody: body });
    if (problems.length > 0) throw new SpecViolation(`response to ${method} ${path} (${res.statusCode}): ${problems.join("; ")}`);
    return { status: res.statusCode, headers, body: body as T };
  };
}
