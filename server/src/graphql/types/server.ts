import { adoptServer } from "../../domain/servers/adopt-server.js";
import { expectedAgentVersion, isAgentOutdated } from "../../domain/servers/agent-release.js";
import { findServer, serverStatusReason } from "../../domain/servers/get-server.js";
import { getSshPublicKey } from "../../domain/servers/get-ssh-public-key.js";
import { countServers, listServers } from "../../domain/servers/list-servers.js";
import { upgradeAgent } from "../../domain/servers/upgrade-agent.js";
import { ServerKind, ServerStatus } from "../../generated/prisma/enums.js";
import { builder } from "../builder.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { viewerOf } from "../viewer.js";
import { OperationNode } from "./operation.js";

export const ServerKindEnum = builder.enumType(ServerKind, { name: "ServerKind" });
export const ServerStatusEnum = builder.enumType(ServerStatus, { name: "ServerStatus" });

// The agent token has no field: it lives encrypted on the row and only travels to the agent.
export const ServerNode = builder.prismaNode("Server", {
  id: { field: "id" },
  // An unknown id is null from node(id), not an error.
  nullable: true,
  authScopes: { scope: "read" },
  fields: (t) => ({
    name: t.exposeString("name"),
    kind: t.expose("kind", { type: ServerKindEnum }),
    status: t.expose("status", { type: ServerStatusEnum }),
    statusReason: t.string({
      nullable: true,
      description: "Why the server is in ERROR or UNREACHABLE (the last error reported for it); null otherwise.",
      resolve: (server, _args, ctx) => serverStatusReason(ctx.deps, server),
    }),
    publicIpv4: t.exposeString("publicIpv4", { nullable: true }),
    sshPort: t.exposeInt("sshPort"),
    sshUser: t.exposeString("sshUser"),
    region: t.exposeString("region", { nullable: true }),
    size: t.exposeString("size", { nullable: true }),
    managed: t.exposeBoolean("managed", { description: "Created by Slipway (carries the managed tag); adopted hosts are not." }),
    agentVersion: t.exposeString("agentVersion", { nullable: true }),
    expectedAgentVersion: t.string({ resolve: () => expectedAgentVersion() }),
    agentOutdated: t.boolean({ resolve: (server) => isAgentOutdated(server) }),
    hostKeyFingerprint: t.exposeString("hostKeyFingerprint", { nullable: true, description: "The pinned SSH host key (SHA256:...)." }),
    lastSeenAt: t.expose("lastSeenAt", { type: "DateTime", nullable: true, description: "The last successful contact with its agent." }),
    unreachableSince: t.expose("unreachableSince", {
      type: "DateTime",
      nullable: true,
      description: "When contact was lost (status UNREACHABLE); null while it answers.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.queryFields((t) => ({
  servers: t.prismaConnection({
    type: "Server",
    cursor: "id",
    authScopes: { scope: "read" },
    resolve: (query, _root, _args, ctx) => listServers(ctx.deps, query),
    totalCount: (_root, _args, ctx) => countServers(ctx.deps),
  }),
  server: t.prismaField({
    type: "Server",
    nullable: true,
    authScopes: { scope: "read" },
    args: { id: t.arg.globalID({ required: true, for: ServerNode }) },
    resolve: (query, _root, args, ctx) => findServer(ctx.deps, args.id.id, query),
  }),
  sshPublicKey: t.string({
    description: "The control plane's SSH public key: add it to authorized_keys on a host before adopting it.",
    authScopes: { scope: "read" },
    resolve: (_root, _args, ctx) => getSshPublicKey(ctx.deps),
  }),
}));

const AdoptServerInput = builder.inputType("AdoptServerInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    host: t.string({ required: true, description: "IPv4 address or hostname." }),
    sshPort: t.int({ description: "Defaults to 22." }),
    sshUser: t.string({ description: 'Defaults to "root".' }),
  }),
});

builder.mutationFields((t) => ({
  adoptServer: t.field({
    type: OperationNode,
    description: "Registers an SSH host and starts installing the agent on it; follow the operation's events.",
    authScopes: { scope: "servers:write" },
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: AdoptServerInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      adoptServer(ctx.deps, viewerOf(ctx), {
        name: input.name,
        host: input.host,
        sshPort: input.sshPort ?? undefined,
        sshUser: input.sshUser ?? undefined,
      }),
  }),
  upgradeAgent: t.field({
    type: OperationNode,
    description: "Reinstalls the agent version this control plane ships on the server.",
    authScopes: { scope: "servers:write" },
    errors: { types: [NotFoundError, ConflictError] },
    args: { id: t.arg.globalID({ required: true, for: ServerNode }) },
    resolve: (_root, args, ctx) => upgradeAgent(ctx.deps, viewerOf(ctx), args.id.id),
  }),
}));
