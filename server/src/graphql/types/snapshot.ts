import { createSnapshot } from "../../domain/provisioning/create-snapshot.js";
import { deleteSnapshot } from "../../domain/provisioning/delete-snapshot.js";
import { ProviderError, UnmanagedServerError } from "../../domain/provisioning/errors.js";
import { countSnapshots, listSnapshots } from "../../domain/provisioning/queries.js";
import { SnapshotStatus } from "../../generated/prisma/enums.js";
import { builder } from "../builder.js";
import { ConflictError, ErrorInterface, NotFoundError, ValidationError } from "../errors.js";
import { viewerOf } from "../viewer.js";
import { OperationNode } from "./operation.js";

// Provisioning's own domain errors, union members like the shared ones.
for (const [ErrorClass, name] of [
  [ProviderError, "ProviderError"],
  [UnmanagedServerError, "UnmanagedServerError"],
] as const) {
  builder.objectType(ErrorClass, { name, interfaces: [ErrorInterface], isTypeOf: (value) => value instanceof ErrorClass });
}
export { ProviderError, UnmanagedServerError };

export const SnapshotStatusEnum = builder.enumType(SnapshotStatus, { name: "SnapshotStatus" });

export const SnapshotNode = builder.prismaNode("Snapshot", {
  id: { field: "id" },
  // An unknown id is null from node(id), not an error.
  nullable: true,
  authScopes: { scope: "read" },
  description: "A DigitalOcean image with Docker, nginx and the agent installed.",
  fields: (t) => ({
    name: t.exposeString("name"),
    providerId: t.exposeString("providerId", { nullable: true, description: "The DigitalOcean image id." }),
    regions: t.stringList({ resolve: (snapshot) => snapshot.regions as string[] }),
    agentVersion: t.exposeString("agentVersion", { description: "The agent version the image holds." }),
    status: t.expose("status", { type: SnapshotStatusEnum }),
    sizeGigabytes: t.exposeFloat("sizeGigabytes", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.queryField("snapshots", (t) =>
  t.prismaConnection({
    type: "Snapshot",
    cursor: "id",
    authScopes: { scope: "read" },
    args: { includeDeleted: t.arg.boolean({ defaultValue: false }) },
    resolve: (query, _root, args, ctx) => listSnapshots(ctx.deps, { includeDeleted: args.includeDeleted ?? false }, query),
    totalCount: (_root, args, ctx) => countSnapshots(ctx.deps, { includeDeleted: args.includeDeleted ?? false }),
  }),
);

const CreateSnapshotInput = builder.inputType("CreateSnapshotInput", {
  fields: (t) => ({
    name: t.string({ description: "Defaults to slipway-agent-<version>-<date>-<random>." }),
    region: t.string({ description: 'Defaults to "nyc3".' }),
    size: t.string({ description: 'Defaults to "s-1vcpu-1gb".' }),
    baseImage: t.string({ description: 'Defaults to "debian-12-x64".' }),
    nodeTarballUrl: t.string({ description: "An official node (20+) .tar.xz; without it Debian's nodejs package is installed." }),
    nodeTarballSha256: t.string(),
  }),
});

builder.mutationFields((t) => ({
  createSnapshot: t.field({
    type: OperationNode,
    description: "Builds a snapshot on a temporary droplet (destroyed afterwards); follow the operation's events.",
    authScopes: { scope: "servers:write" },
    errors: { types: [ValidationError, NotFoundError] },
    args: { input: t.arg({ type: CreateSnapshotInput, required: true }) },
    resolve: (_root, { input }, ctx) => createSnapshot(ctx.deps, viewerOf(ctx), withoutNulls(input)),
  }),
  deleteSnapshot: t.field({
    type: SnapshotNode,
    authScopes: { scope: "servers:write" },
    errors: { types: [NotFoundError, ConflictError, ProviderError] },
    args: { id: t.arg.globalID({ required: true, for: SnapshotNode }) },
    resolve: (_root, args, ctx) => deleteSnapshot(ctx.deps, args.id.id),
  }),
}));

/** GraphQL sends absent optional fields as null; the domain's schemas expect them left out. */
export function withoutNulls<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as { [K in keyof T]: Exclude<T[K], null> };
}
