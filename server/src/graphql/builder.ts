import SchemaBuilder from "@pothos/core";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import type { AuthFailure } from "@pothos/plugin-scope-auth";
import TracingPlugin from "@pothos/plugin-tracing";
import { GraphQLError } from "graphql";
import type { Scope } from "../domain/auth/scopes.js";
import type PrismaTypes from "../generated/pothos-prisma-types.js";
import { getDatamodel } from "../generated/pothos-prisma-types.js";
import { auditMutation } from "./audit.js";
import type { GraphQLContext } from "./context.js";
import { assertNodeIdsWithinCap } from "./limits.js";

// Plugins and options only; the types live in ./types, one file per noun.
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  AuthScopes: { public: boolean; authenticated: boolean; session: boolean; scope: Scope };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    File: { Input: File; Output: never };
  };
}>({
  // Tracing wraps outermost so the audit log also sees mutations that authorization refused.
  plugins: [TracingPlugin, ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  tracing: {
    default: (config) => config.parentType === "Mutation",
    wrap: (resolver, _options, config) => auditMutation(resolver, config.name),
  },
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      public: true,
      authenticated: ctx.viewer !== null,
      session: ctx.viewer?.tokenKind === "SESSION",
      scope: (scope: Scope) => ctx.viewer?.scopes.has(scope) ?? false,
    }),
    unauthorizedError: (_parent, ctx, _info, result) =>
      ctx.viewer
        ? new GraphQLError(`Not allowed: this needs the scope ${missingScopes(result.failure).join(" or ")}`, {
            extensions: { code: "FORBIDDEN" },
          })
        : new GraphQLError("Sign in first: send an Authorization: Bearer token", { extensions: { code: "UNAUTHENTICATED" } }),
  },
  errors: { defaultTypes: [] },
  prisma: {
    client: (ctx) => ctx.deps.db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    nodeQueryOptions: { authScopes: { scope: "read" } },
    nodesQueryOptions: {
      authScopes: { scope: "read" },
      resolve: (_root, args, _ctx, _info, resolveNodes) => {
        assertNodeIdsWithinCap(args.ids);
        return resolveNodes(args.ids);
      },
    },
  },
});

// node(id) / nodes(ids) of an id that names nothing (or nothing the viewer may see) answer null,
// never an internal error: every node loads with findUnique, not findUniqueOrThrow.
const definePrismaNode = builder.prismaNode.bind(builder);
builder.prismaNode = ((type: never, options: object) => definePrismaNode(type, { ...options, nullable: true } as never)) as unknown as typeof builder.prismaNode;

/** The scope names a refused check asked for, so the error can say what the token lacks. */
function missingScopes(failure: AuthFailure): string[] {
  if ("failures" in failure) return [...new Set(failure.failures.flatMap(missingScopes))];
  if ("parameter" in failure && failure.scope === "scope") return [`"${String(failure.parameter)}"`];
  if ("scope" in failure && failure.scope === "session") return ["a signed-in session"];
  return [];
}
