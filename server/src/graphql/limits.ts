// Rules for documents beyond graphql-armor's: sign-in fields one per document (each is a slow
// password hash, and aliases would multiply them), and a cap on `nodes(ids:)` that also holds
// when the ids come in variables (which armor's cost limit never sees).
import { GraphQLError, type ValidationRule } from "graphql";
import type { Plugin } from "graphql-yoga";

/** Fields that check a password or a setup token: one of them per document. */
const ONE_PER_DOCUMENT = new Set(["login", "completeSetup", "changePassword"]);
export const MAX_NODE_IDS = 100;

export const oneSignInPerDocument: ValidationRule = (context) => {
  let seen = 0;
  return {
    Field(node) {
      const parent = context.getParentType();
      if (parent?.name !== "Mutation" || !ONE_PER_DOCUMENT.has(node.name.value)) return;
      seen += 1;
      if (seen === 2) {
        context.reportError(
          new GraphQLError(`Only one of ${[...ONE_PER_DOCUMENT].join(", ")} may be asked for in one request`, {
            nodes: node,
            extensions: { code: "BAD_USER_INPUT" },
          }),
        );
      }
    },
  };
};

/** Refuses a `nodes` call with more ids than the cap, however they were given. */
export function assertNodeIdsWithinCap(ids: readonly unknown[]): void {
  if (ids.length > MAX_NODE_IDS) {
    throw new GraphQLError(`nodes takes at most ${MAX_NODE_IDS} ids at a time; ${ids.length} were given`, { extensions: { code: "BAD_USER_INPUT" } });
  }
}

/**
 * Body limits that hold however the body is sent, chunked included (Content-Length alone is only
 * the fast path, in app.ts): a GraphQL document or JSON body is read up to `documentBytes` and
 * refused with 413 past it; a multipart upload (an archive) is held to yoga's
 * `maxRequestBodySize`, set to the archive limit plus room.
 */
export function useDocumentBodyLimit(documentBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (!requestParser || !request.body) return;
      if (String(request.headers.get("content-type")).startsWith("multipart/form-data")) return;
      const parse = requestParser;
      setRequestParser(async (req) => {
        const body = await readAtMost(req.body!, documentBytes);
        return parse(new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, signal: req.signal, body: body as BodyInit }));
      });
    },
  };
}

/** The whole body, or a 413 as soon as it passes the limit (the rest is never read). */
async function readAtMost(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let read = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    read += value.byteLength;
    if (read > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export function tooLarge(limit: number): GraphQLError {
  return new GraphQLError(`The request is larger than ${limit} bytes`, { extensions: { code: "PAYLOAD_TOO_LARGE", http: { status: 413 } } });
}
