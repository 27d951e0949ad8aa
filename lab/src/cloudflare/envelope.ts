import type { CloudflareMessage, Envelope } from "@slipway/cloudflare-api";
import type { Reply } from "../simulator-shared/router.js";

// Cloudflare wraps every response: {success, errors: [{code, message}], messages, result,
// result_info}. Failures carry numeric codes, some with an error_chain of causes.

export class CloudflareError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly chain: CloudflareMessage[] = [],
    /** Further entries of `errors` (Cloudflare lists a route failure as 7003 then 7000). */
    readonly siblings: CloudflareMessage[] = [],
  ) {
    super(message);
  }

  toReply(headers: Record<string, string> = {}): Reply {
    const error: CloudflareMessage = { code: this.code, message: this.message };
    if (this.chain.length > 0) error.error_chain = this.chain;
    const body: Envelope<null> = { success: false, errors: [error, ...this.siblings], messages: [], result: null };
    return { status: this.status, headers, body };
  }
}

export function ok(result: unknown, options: { status?: number; resultInfo?: Envelope<unknown>["result_info"]; messages?: CloudflareMessage[] } = {}): Reply {
  return {
    status: options.status ?? 200,
    body: {
      success: true,
      errors: [],
      messages: options.messages ?? [],
      result,
      ...(options.resultInfo ? { result_info: options.resultInfo } : {}),
    },
  };
}

/** Cloudflare's page/per_page pagination of a list result. */
export function paged<T>(all: T[], query: URLSearchParams, defaultPerPage: number): Reply {
  const perPage = Math.min(Math.max(Number(query.get("per_page") ?? defaultPerPage) || defaultPerPage, 1), 5000);
  const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
  const items = all.slice((page - 1) * perPage, page * perPage);
  return ok(items, {
    resultInfo: { page, per_page: perPage, count: items.length, total_count: all.length, total_pages: Math.ceil(all.length / perPage) },
  });
}
