import type { IncomingMessage } from "node:http";
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { GraphQLError } from "graphql";
import { createYoga, type Plugin, type YogaServerInstance } from "graphql-yoga";
import { authenticate, AuthenticationError, bearerFromHeader } from "../domain/auth/authenticate.js";
import type { ClientInfo } from "../domain/auth/sessions.js";
import type { Deps } from "../domain/deps.js";
import { DomainError, errorCode } from "../domain/errors.js";
import { useAuditOfRefusedMutations } from "./audit.js";
import { clientAddress } from "./client-address.js";
import type { GraphQLContext } from "./context.js";
import { GRAPHIQL_OPTIONS, renderGraphiQLPage, useGraphiQLAssets } from "./graphiql.js";
import { oneSignInPerDocument, useDocumentBodyLimit } from "./limits.js";
import { schema } from "./schema.js";

/** What the server hands each request: Node's request (HTTP, or the WebSocket upgrade in app.ts). */
type ServerContext = Record<string, unknown> & { req?: IncomingMessage; connectionParams?: Record<string, unknown> };

export type Yoga = YogaServerInstance<ServerContext, GraphQLContext>;

// Refusals the caller caused: said to the caller, logged without a stack (anyone can cause them).
const CALLER_CODES = new Set(["UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"]);

export interface BodyLimits {
  /** A JSON or GraphQL body (every request but uploads). */
  documentBytes: number;
  /** A multipart request: the archive plus its GraphQL part. */
  uploadBytes: number;
}

/** The GraphQL server: schema, authentication, limits on hostile documents, error masking. */
export function createGraphQLServer(deps: Deps, limits: BodyLimits): Yoga {
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    maxRequestBodySize: limits.uploadBytes,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    // GraphiQL and its assets come from this process, never a CDN: it works offline.
    graphiql: GRAPHIQL_OPTIONS,
    renderGraphiQL: renderGraphiQLPage,
    // Identity travels in bearer tokens, never cookies; still, only the console's origin (and any
    // configured) may call from a browser.
    cors: (request) => {
      const origin = request.headers.get("origin");
      if (!origin || !deps.config.corsOrigins.includes(origin)) return false; // no CORS headers at all: the browser refuses
      return { origin: [origin], credentials: false, allowedHeaders: ["authorization", "content-type"], methods: ["GET", "POST", "OPTIONS"] };
    },
    logging: quietCallerErrors(deps),
    context: async ({ req, connectionParams }): Promise<Omit<GraphQLContext, never>> => ({
      deps,
      viewer: await Promise.resolve()
        .then(() => authenticate(deps, presentedToken(req, connectionParams)))
        .catch(rethrowAsUnauthenticated),
      client: clientOf(deps, req),
      audit: { recorded: false },
    }),
    maskedErrors: {
      // Domain errors are written for users; anything else is a bug and is logged, not shown.
      maskError: (error, message) => {
        const original = isGraphQLError(error) ? error.originalError : error;
        if (isGraphQLError(original)) return original;
        if (original instanceof DomainError) {
          return new GraphQLError(original.message, { extensions: { code: errorCode(original) } });
        }
        if (original instanceof Error && original.name === "PothosValidationError") {
          // Malformed global IDs, cursors or page sizes: the caller's mistake, worth saying.
          return new GraphQLError(original.message, { extensions: { code: "BAD_USER_INPUT" } });
        }
        if (isGraphQLError(error) && !original) return error;
        deps.log.error({ err: original ?? error }, "unexpected error while executing GraphQL");
        return new GraphQLError(message, { extensions: { code: "INTERNAL_SERVER_ERROR" } });
      },
    },
    plugins: [
      useGraphiQLAssets(),
      EnvelopArmorPlugin({
        maxDepth: { n: 12 },
        maxTokens: { n: 2_000 },
        maxAliases: { n: 30 },
        maxDirectives: { n: 20 },
        costLimit: { maxCost: 20_000 },
        blockFieldSuggestion: { enabled: true },
      }),
      { onValidate: ({ addValidationRule }) => addValidationRule(oneSignInPerDocument) } satisfies Plugin,
      useDocumentBodyLimit(limits.documentBytes),
      useAuditOfRefusedMutations(deps),
    ],
  });
}

// By shape, not instanceof: a bundler may load a second copy of graphql-js (dual ESM/CJS package).
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === "GraphQLError";
}

function presentedToken(req: IncomingMessage | undefined, connectionParams: Record<string, unknown> | undefined): string | undefined {
  if (connectionParams) {
    const { authorization, token } = connectionParams;
    if (typeof authorization === "string") return bearerFromHeader(authorization);
    return typeof token === "string" ? token : undefined;
  }
  return bearerFromHeader(req?.headers.authorization);
}

/** The client's address (a proxy's word for it only when the proxy is trusted) and user agent. */
function clientOf(deps: Deps, req: IncomingMessage | undefined): ClientInfo {
  const userAgent = req?.headers["user-agent"];
  return {
    address: clientAddress(req?.socket.remoteAddress, req?.headers["x-forwarded-for"], deps.config.trustedProxies),
    userAgent: typeof userAgent === "string" ? userAgent : undefined,
  };
}

function rethrowAsUnauthenticated(error: unknown): never {
  if (error instanceof AuthenticationError) {
    throw new GraphQLError(error.message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
  }
  throw error;
}

/** yoga's logger, with the errors callers cause (refused tokens, missing scopes) logged at debug without stacks. */
function quietCallerErrors(deps: Deps) {
  const log = deps.log;
  return {
    debug: (...args: unknown[]) => log.debug(args.map(String).join(" ")),
    info: (...args: unknown[]) => log.info(args.map(String).join(" ")),
    warn: (...args: unknown[]) => log.warn(args.map(String).join(" ")),
    error: (...args: unknown[]) => {
      const callerError = args.find((a): a is GraphQLError => isGraphQLError(a) && CALLER_CODES.has(String(a.extensions?.code)));
      if (callerError) return log.debug({ code: callerError.extensions?.code }, callerError.message);
      const err = args.find((a) => a instanceof Error);
      log.error({ err }, args.filter((a) => typeof a === "string").join(" ") || "GraphQL server error");
    },
  };
}
