import { UserRoleEnum } from "./enums.js";
import { findViewerUser, logout, login, type SessionPayload } from "../../domain/auth/sessions.js";
import { completeSetup, needsSetup } from "../../domain/auth/setup.js";
import { builder } from "../builder.js";
import { ConflictError, InvalidCredentialsError, ValidationError } from "../errors.js";
import { viewerOf } from "../viewer.js";

export const UserNode = builder.prismaNode("User", {
  id: { field: "id" },
  // An unknown id is null from node(id), not an error.
  nullable: true,
  fields: (t) => ({
    email: t.exposeString("email"),
    name: t.exposeString("name"),
    role: t.expose("role", { type: UserRoleEnum }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const LoginPayload = builder.objectRef<SessionPayload>("LoginPayload").implement({
  description: "A new session. The token is shown only here; send it as `Authorization: Bearer <token>`.",
  fields: (t) => ({
    token: t.exposeString("token"),
    user: t.field({ type: UserNode, resolve: (payload) => payload.user }),
  }),
});

const SetupStatus = builder.objectRef<{ needsSetup: boolean }>("SetupStatus").implement({
  fields: (t) => ({ needsSetup: t.exposeBoolean("needsSetup") }),
});

builder.queryFields((t) => ({
  setupStatus: t.field({
    type: SetupStatus,
    authScopes: { public: true },
    resolve: async (_root, _args, ctx) => ({ needsSetup: await needsSetup(ctx.deps) }),
  }),
  viewer: t.prismaField({
    type: "User",
    nullable: true,
    authScopes: { public: true },
    resolve: (query, _root, _args, ctx) => findViewerUser(ctx.deps, ctx.viewer, query),
  }),
}));

const LoginInput = builder.inputType("LoginInput", {
  fields: (t) => ({ email: t.string({ required: true }), password: t.string({ required: true }) }),
});

const CompleteSetupInput = builder.inputType("CompleteSetupInput", {
  fields: (t) => ({
    setupToken: t.string({ required: true }),
    email: t.string({ required: true }),
    name: t.string({ required: true }),
    password: t.string({ required: true }),
  }),
});

builder.mutationFields((t) => ({
  login: t.field({
    type: LoginPayload,
    authScopes: { public: true },
    errors: { types: [InvalidCredentialsError, ValidationError] },
    args: { input: t.arg({ type: LoginInput, required: true }) },
    resolve: (_root, args, ctx) => login(ctx.deps, args.input),
  }),
  completeSetup: t.field({
    type: LoginPayload,
    authScopes: { public: true },
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CompleteSetupInput, required: true }) },
    resolve: (_root, args, ctx) => completeSetup(ctx.deps, args.input),
  }),
  logout: t.boolean({
    description: "Revokes the token this request was made with.",
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => logout(ctx.deps, viewerOf(ctx)),
  }),
}));
