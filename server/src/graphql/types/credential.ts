import { CredentialProviderEnum } from "./enums.js";
import {
  deleteCredential, listCredentials, setCredential, verificationState, verifyCredential,
} from "../../domain/credentials/credentials.js";
import { builder } from "../builder.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { viewerOf } from "../viewer.js";

const CredentialVerificationEnum = builder.enumType("CredentialVerification", {
  values: {
    VERIFIED: { description: "The provider accepted the token." },
    REJECTED: { description: "The provider refused the token (verificationError says why)." },
    UNREACHABLE: { description: "The provider could not be reached; the token is stored, verify it again later." },
    UNVERIFIED: { description: "Not checked yet." },
  } as const,
});

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
    verification: t.field({ type: CredentialVerificationEnum, resolve: (credential) => verificationState(credential) }),
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
    description: "Stores the token, then verifies it with the provider: it is kept even when the provider refuses it or cannot be reached (see verification).",
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
