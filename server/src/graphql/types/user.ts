import { UserRoleEnum } from "./enums.js";
import { changePassword, createUser, disableUser, enableUser, listUsers, setUserRole } from "../../domain/auth/users.js";
import { findViewerUser, logout, login, type SessionPayload } from "../../domain/auth/sessions.js";
import { completeSetup, needsSetup } from "../../domain/auth/setup.js";
import { isAdmin } from "../../domain/auth/viewer.js";
import { builder } from "../builder.js";
import { RateLimitedError } from "../../domain/errors.js";
import { ConflictError, ErrorInterface, InvalidCredentialsError, NotFoundError, ValidationError } from "../errors.js";
import { viewerOf } from "../viewer.js";

builder.objectType(RateLimitedError, {
  name: "RateLimitedError",
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof RateLimitedError,
  fields: (t) => ({ retryAfterSeconds: t.exposeInt("retryAfterSeconds") }),
});

/** A filter no row passes: node(id) of something the viewer may not see finds nothing. */
export const NOTHING = { id: { in: [] as string[] } };

// A user is visible to admins and to themselves; node(id) answers null to anyone else.
export const UserNode = builder.prismaNode("User", {
  id: { field: "id" },
  // An unknown id is null from node(id), not an error.
  nullable: true,
  findUnique: (id, ctx) => (ctx.viewer && (isAdmin(ctx.viewer) || ctx.viewer.userId === id) ? { id } : { id, AND: [NOTHING] }),
  fields: (t) => ({
    email: t.exposeString("email"),
    name: t.exposeString("name"),
    role: t.expose("role", { type: UserRoleEnum }),
    disabled: t.boolean({ resolve: (user) => user.disabledAt !== null }),
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
  users: t.prismaField({
    type: ["User"],
    description: "Every user, by email (admins).",
    authScopes: { scope: "admin" },
    resolve: (query, _root, _args, ctx) => listUsers(ctx.deps, query),
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

const CreateUserInput = builder.inputType("CreateUserInput", {
  fields: (t) => ({
    email: t.string({ required: true }),
    name: t.string({ required: true }),
    password: t.string({ required: true, description: "At least 12 characters; the user changes it with changePassword." }),
    role: t.field({ type: UserRoleEnum, description: "Defaults to MEMBER." }),
  }),
});

const ChangePasswordInput = builder.inputType("ChangePasswordInput", {
  fields: (t) => ({ currentPassword: t.string({ required: true }), newPassword: t.string({ required: true }) }),
});

builder.mutationFields((t) => ({
  login: t.field({
    type: LoginPayload,
    description: "One per request. After a few failures for an account or from an address, attempts must wait longer each time.",
    authScopes: { public: true },
    errors: { types: [InvalidCredentialsError, ValidationError, RateLimitedError] },
    args: { input: t.arg({ type: LoginInput, required: true }) },
    resolve: (_root, args, ctx) => login(ctx.deps, args.input, ctx.client),
  }),
  completeSetup: t.field({
    type: LoginPayload,
    authScopes: { public: true },
    errors: { types: [ValidationError, ConflictError, RateLimitedError] },
    args: { input: t.arg({ type: CompleteSetupInput, required: true }) },
    resolve: (_root, args, ctx) => completeSetup(ctx.deps, args.input, ctx.client),
  }),
  logout: t.boolean({
    description: "Revokes the token this request was made with, and every token made from it.",
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => logout(ctx.deps, viewerOf(ctx)),
  }),
  changePassword: t.field({
    type: UserNode,
    description: "Changes your own password; your other sessions end.",
    authScopes: { session: true },
    errors: { types: [InvalidCredentialsError, ValidationError, RateLimitedError] },
    args: { input: t.arg({ type: ChangePasswordInput, required: true }) },
    resolve: (_root, args, ctx) => changePassword(ctx.deps, viewerOf(ctx), args.input),
  }),
  createUser: t.field({
    type: UserNode,
    authScopes: { scope: "admin" },
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: (_root, args, ctx) => createUser(ctx.deps, { ...args.input, role: args.input.role ?? undefined }),
  }),
  setUserRole: t.field({
    type: UserNode,
    description: "Takes effect on the user's next request, open subscriptions included. At least one active admin remains.",
    authScopes: { scope: "admin" },
    errors: { types: [NotFoundError, ConflictError, ValidationError] },
    args: { id: t.arg.globalID({ required: true, for: UserNode }), role: t.arg({ type: UserRoleEnum, required: true }) },
    resolve: (_root, args, ctx) => setUserRole(ctx.deps, { userId: args.id.id, role: args.role }),
  }),
  disableUser: t.field({
    type: UserNode,
    description: "The user can no longer sign in; their sessions end and their API tokens stop working. At least one active admin remains.",
    authScopes: { scope: "admin" },
    errors: { types: [NotFoundError, ConflictError] },
    args: { id: t.arg.globalID({ required: true, for: UserNode }) },
    resolve: (_root, args, ctx) => disableUser(ctx.deps, args.id.id),
  }),
  enableUser: t.field({
    type: UserNode,
    authScopes: { scope: "admin" },
    errors: { types: [NotFoundError] },
    args: { id: t.arg.globalID({ required: true, for: UserNode }) },
    resolve: (_root, args, ctx) => enableUser(ctx.deps, args.id.id),
  }),
}));
