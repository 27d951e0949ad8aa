import { CredentialProviderEnum } from "./enums.js";
import { deleteCredential, listCredentials, setCredential, verifyCredential } from "../../domain/credentials/credentials.js";
import { builder } from "../builder.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { viewerOf } from "../viewer.js";

// The token itself has no field: it goes in through setCredential and never comes out.
export const CredentialNode = builder.prismaNode("Credential", {
  id: { field: "id" },
  // An unknown id is null from node(id), not an error.
  nullable: true,
  authScopes: { scope: "read" },
  fields: (t) => ({
    provider: t.expose("provider", { type: CredentialProviderEnum }),
    name: t.exposeString("name"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    verifiedAt: t.expose("verifiedAt", { type: "DateTime", nullable: true }),
    verificationError: t.exposeString("verificationError", { nullable: true }),
  }),
});

builder.queryField("credentials", (t) =>
  t.field({
    type: [CredentialNode],
    authScopes: { scope: "read" },
    resolve: (_root, _args, ctx) => listCredentials(ctx.deps),
  }),
);

const SetCredentialInput = builder.inputType("SetCredentialInput", {
  fields: (t) => ({
    provider: t.field({ type: CredentialProviderEnum, required: true }),
    name: t.string({ description: 'Defaults to "default".' }),
    token: t.string({ required: true }),
  }),
});

builder.mutationFields((t) => ({
  setCredential: t.field({
    type: CredentialNode,
    authScopes: { scope: "credentials:write" },
    errors: { types: [ValidationError] },
    args: { input: t.arg({ type: SetCredentialInput, required: true }) },
    resolve: (_root, args, ctx) => setCredential(ctx.deps, viewerOf(ctx), args.input),
  }),
  verifyCredential: t.field({
    type: CredentialNode,
    authScopes: { scope: "credentials:write" },
    errors: { types: [NotFoundError] },
    args: { id: t.arg.globalID({ required: true, for: CredentialNode }) },
    resolve: (_root, args, ctx) => verifyCredential(ctx.deps, args.id.id),
  }),
  deleteCredential: t.field({
    type: CredentialNode,
    authScopes: { scope: "credentials:write" },
    errors: { types: [NotFoundError] },
    args: { id: t.arg.globalID({ required: true, for: CredentialNode }) },
    resolve: (_root, args, ctx) => deleteCredential(ctx.deps, args.id.id),
  }),
}));
