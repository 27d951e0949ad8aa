import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { GraphQLError } from "graphql";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import { authenticate, AuthenticationError, bearerFromHeader } from "../domain/auth/authenticate.js";
import type { Deps } from "../domain/deps.js";
import { DomainError } from "../domain/errors.js";
import type { GraphQLContext } from "./context.js";
import { GRAPHIQL_OPTIONS, renderGraphiQLPage, useGraphiQLAssets } from "./graphiql.js";
import { schema } from "./schema.js";

export type Yoga = YogaServerInstance<Record<string, unknown>, GraphQLContext>;

interface WebSocketContext {
  connectionParams?: Record<string, unknown>;
}

/** The GraphQL server: schema, authentication, limits on hostile documents, error masking. */
export function createGraphQLServer(deps: Deps): Yoga {
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    // GraphiQL and its assets come from this process, never a CDN: it works offline.
    graphiql: GRAPHIQL_OPTIONS,
    renderGraphiQL: renderGraphiQLPage,
    // Bearer tokens, not cookies, carry identity, so any origin may call (the console among them).
    cors: { origin: "*", allowedHeaders: ["authorization", "content-type"], methods: ["GET", "POST", "OPTIONS"] },
    logging: deps.log,
    context: async ({ request, connectionParams }: { request: Request } & WebSocketContext) => ({
      deps,
      viewer: await authenticate(deps, presentedToken(request, connectionParams)).catch(rethrowAsUnauthenticated),
    }),
    maskedErrors: {
      // Domain errors are written for users; anything else is a bug and is logged, not shown.
      maskError: (error, message) => {
        const original = isGraphQLError(error) ? error.originalError : error;
        if (isGraphQLError(original)) return original;
        if (original instanceof DomainError) {
          return new GraphQLError(original.message, { extensions: { code: codeOf(original) } });
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
    ],
  });
}

// By shape, not instanceof: a bundler may load a second copy of graphql-js (dual ESM/CJS package).
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === "GraphQLError";
}

function presentedToken(request: Request | undefined, connectionParams: Record<string, unknown> | undefined): string | undefined {
  if (connectionParams) {
    const { authorization, token } = connectionParams;
    if (typeof authorization === "string") return bearerFromHeader(authorization);
    return typeof token === "string" ? token : undefined;
  }
  return bearerFromHeader(request?.headers.get("authorization"));
}

function rethrowAsUnauthenticated(error: unknown): never {
  if (error instanceof AuthenticationError) {
    throw new GraphQLError(error.message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
  }
  throw error;
}

function codeOf(error: DomainError): string {
  return error.name.replace(/Error$/, "").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase() || "BAD_REQUEST";
}
