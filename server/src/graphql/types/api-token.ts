import { createApiToken, listApiTokens, revokeApiToken } from "../../domain/auth/api-tokens.js";
import { ALL_SCOPES, parseScopes, SCOPES } from "../../domain/auth/scopes.js";
import type { ApiToken } from "../../generated/prisma/client.js";
import { builder } from "../builder.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { viewerOf } from "../viewer.js";

export const ApiTokenNode = builder.prismaNode("ApiToken", {
  id: { field: "id" },
  // An unknown id is null from node(id), not an error.
  nullable: true,
  authScopes: { authenticated: true },
  fields: (t) => ({
    name: t.exposeString("name"),
    prefix: t.exposeString("prefix", { description: "The token's first characters, to recognise it by." }),
    scopes: t.stringList({ resolve: (token) => parseScopes(token.scopes) }),
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
    type: ["ApiToken"],
    description: "Your API tokens; every user's for an admin.",
    authScopes: { authenticated: true },
    resolve: (query, _root, _args, ctx) =>
      listApiTokens(ctx.deps, viewerOf(ctx), query),
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
    expiresInDays: t.int(),
  }),
});

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreatedApiToken,
    authScopes: { authenticated: true },
    errors: { types: [ValidationError] },
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    resolve: (_root, args, ctx) => createApiToken(ctx.deps, viewerOf(ctx), args.input),
  }),
  revokeApiToken: t.field({
    type: ApiTokenNode,
    authScopes: { authenticated: true },
    errors: { types: [NotFoundError] },
    args: { id: t.arg.globalID({ required: true, for: ApiTokenNode }) },
    resolve: (_root, args, ctx) => revokeApiToken(ctx.deps, viewerOf(ctx), args.id.id),
  }),
}));
