import { request } from "undici";
import { z } from "zod";

// A Cloudflare client for tests that checks every response is Cloudflare's envelope, and that
// `success` agrees with the HTTP status.

const message = z.object({ code: z.number().int(), message: z.string() }).passthrough();
const envelope = z
  .object({
    success: z.boolean(),
    errors: z.array(message.extend({ error_chain: z.array(message).optional() })),
    messages: z.array(message),
    result: z.unknown(),
    result_info: z
      .object({ page: z.number(), per_page: z.number(), count: z.number(), total_count: z.number(), total_pages: z.number() })
      .optional(),
  })
  .strict();
export type Envelope<T> = Omit<z.infer<typeof envelope>, "result"> & { result: T };

export function cloudflareClient(baseUrl: string, defaultToken: string) {
  return async function call<T = any>(
    method: string,
    path: string,
    options: { body?: unknown; query?: Record<string, string | number>; token?: string | null; rawAuthorization?: string } = {},
  ): Promise<{ status: number; headers: Record<string, string>; body: Envelope<T> }> {
    const query = new URLSearchParams(Object.entries(options.query ?? {}).map(([k, v]): [string, string] => [k, String(v)]));
    const token = options.token === undefined ? defaultToken : options.token;
    const authorization = options.rawAuthorization ?? (token === null ? undefined : `Bearer ${token}`);
    const res = await request(`${baseUrl}${path}${query.size > 0 ? `?${query}` : ""}`, {
      method: method as "GET",
      headers: {
        ...(authorization === undefined ? {} : { authorization }),
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const body = envelope.parse(await res.body.json());
    const succeeded = res.statusCode >= 200 && res.statusCode < 300;
    if (body.success !== succeeded || (succeeded ? body.errors.length !== 0 : body.errors.length === 0 || body.result !== null)) {
      throw new Error(`envelope disagrees with status ${res.statusCode}: ${JSON.stringify(body)}`);
    }
    const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
    return { status: res.statusCode, headers, body: body as Envelope<T> };
  };
}
