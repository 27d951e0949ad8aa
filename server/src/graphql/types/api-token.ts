import { createApiToken, listApiTokens, revokeApiToken } from "../../domain/auth/api-tokens.js";
import { ALL_SCOPES, parseScopes, SCOPES } from "../../domain/auth/scopes.js";
import { listSessions, revokeSession } from "../../domain/auth/sessions.js";
import { isAdmin } from "../../domain/auth/viewer.js";
import type { ApiToken } from "../../generated/prisma/client.js";
import { builder } from "../builder.js";
import type { GraphQLContext } from "../context.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { viewerOf } from "../viewer.js";
import { NOTHING } from "./user.js";

/** Tokens (and sessions) are visible to their user and to admins; node(id) finds nothing for anyone else. */
function ownTokensOnly(id: string, ctx: GraphQLContext) {
  if (!ctx.viewer) return { id, AND: [NOTHING] };
  return isAdmin(ctx.viewer) ? { id } : { id, userId: ctx.viewer.userId };
}

export const ApiTokenNode = builder.prismaNode("ApiToken", {
  id: { field: "id" },
  // An unknown id is null from node(id), not an error.
  nullable: true,
  authScopes: { authenticated: true },
  findUnique: (id, ctx) => ({ ...ownTokensOnly(id, ctx), kind: "API" }),
  fields: (t) => ({
    name: t.exposeString("name"),
    prefix: t.exposeString("prefix", { description: "The token's first characters, to recognise it by." }),
    scopes: t.stringList({ resolve: (token) => parseScopes(token.scopes) }),
    madeWithToken: t.boolean({ description: "Made with another API token: it ends when that one does.", resolve: (token) => token.parentId !== null }),
    user: t.relation("user"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
  }),
});

export const SessionNode = builder.prismaNode("ApiToken", {
  variant: "Session",
  id: { field: "id" },
  authScopes: { authenticated: true },
  description: "A signed-in session (console or `slipway login`).",
  findUnique: (id, ctx) => ({ ...ownTokensOnly(id, ctx), kind: "SESSION" }),
  fields: (t) => ({
    user: t.relation("user"),
    prefix: t.exposeString("prefix"),
    userAgent: t.exposeString("userAgent", { nullable: true, description: "The browser or client that signed in." }),
    current: t.boolean({ description: "The session this request was made with.", resolve: (session, _args, ctx) => session.id === ctx.viewer?.tokenId }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
  }),
});

const ScopeInfo = builder.objectRef<{ name: string; description: string }>("ScopeInfo").implement({
  fields: (t) => ({ name: t.exposeString("name"), description: t.exposeString("description") }),
});

const CreatedApiToken = builder.objectRef<{ token: string; apiToken: ApiToken }>("CreatedApiToken").implement({
  description: "The token is shown only here, once.",
  fields: (t) => ({
    token: t.exposeString("token"),
    apiToken: t.field({ type: ApiTokenNode, resolve: (created) => created.apiToken }),
  }),
});

builder.queryFields((t) => ({
  apiTokens: t.prismaField({
    type: [ApiTokenNode],
    description: "Your API tokens; every user's for an admin.",
    authScopes: { authenticated: true },
    resolve: (query, _root, _args, ctx) => listApiTokens(ctx.deps, viewerOf(ctx), query),
  }),
  sessions: t.prismaField({
    type: [SessionNode],
    description: "Open sessions: yours; with `everyone` (admins), every user's.",
    authScopes: { authenticated: true },
    args: { everyone: t.arg.boolean({ defaultValue: false }) },
    resolve: (query, _root, args, ctx) => listSessions(ctx.deps, viewerOf(ctx), { everyone: args.everyone ?? false }, query),
  }),
  availableScopes: t.field({
    type: [ScopeInfo],
    authScopes: { authenticated: true },
    resolve: () => ALL_SCOPES.map((name) => ({ name, description: SCOPES[name] })),
  }),
}));

const CreateApiTokenInput = builder.inputType("CreateApiTokenInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    scopes: t.stringList({ required: true }),
    expiresInDays: t.int({ description: "Made with an API token: never later than that token's own expiry (its expiry when left out)." }),
  }),
});

// Minting and revoking tokens: a signed-in session, or a token given "tokens:write" for it.
const TOKEN_AUTHORITY = { session: true, scope: "tokens:write" } as const;

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreatedApiToken,
    description: "With a session: a token of your own. With an API token (tokens:write): a child of it, never outliving or out-ranking it.",
    authScopes: TOKEN_AUTHORITY,
    errors: { types: [ValidationError] },
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    resolve: (_root, args, ctx) => createApiToken(ctx.deps, viewerOf(ctx), args.input),
  }),
  revokeApiToken: t.field({
    type: ApiTokenNode,
    description: "Revokes the token and every token made from it. An API token reaches only itself and its own children.",
    authScopes: TOKEN_AUTHORITY,
    errors: { types: [NotFoundError] },
    args: { id: t.arg.globalID({ required: true, for: ApiTokenNode }) },
    resolve: (_root, args, ctx) => revokeApiToken(ctx.deps, viewerOf(ctx), args.id.id),
  }),
  revokeSession: t.field({
    type: SessionNode,
    description: "Ends a session: yours, or anyone's for an admin.",
    authScopes: { authenticated: true },
    errors: { types: [NotFoundError] },
    args: { id: t.arg.globalID({ required: true, for: SessionNode }) },
    resolve: (_root, args, ctx) => revokeSession(ctx.deps, viewerOf(ctx), args.id.id),
  }),
}));
