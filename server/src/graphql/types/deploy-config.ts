import {
  createDeployConfig, deleteDeployConfig, listDeployConfigs, loadDeployConfig, updateDeployConfig,
} from "../../domain/deploy-configs/deploy-configs.js";
import { builder } from "../builder.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { viewerOf } from "../viewer.js";
import { ServiceNode } from "./service.js";

export const DeployConfigNode = builder.prismaNode("DeployConfig", {
  id: { field: "id" },
  // An unknown id is null from node(id), not an error.
  nullable: true,
  authScopes: { scope: "read" },
  fields: (t) => ({
    name: t.exposeString("name"),
    settings: t.expose("settings", { type: "JSON", description: "Source, target server ids, env (never secrets), port, health check path." }),
    service: t.relation("service"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.queryFields((t) => ({
  deployConfigs: t.field({
    type: [DeployConfigNode],
    authScopes: { scope: "read" },
    args: { serviceId: t.arg.globalID({ required: true, for: ServiceNode }) },
    resolve: (_root, args, ctx) => listDeployConfigs(ctx.deps, args.serviceId.id),
  }),
  deployConfig: t.field({
    type: DeployConfigNode,
    description: "Loads a saved config; its settings are validated again on the way out.",
    authScopes: { scope: "read" },
    errors: { types: [NotFoundError, ValidationError] },
    args: { id: t.arg.globalID({ required: true, for: DeployConfigNode }) },
    resolve: async (_root, args, ctx) => (await loadDeployConfig(ctx.deps, args.id.id)).config,
  }),
}));

const CreateDeployConfigInput = builder.inputType("CreateDeployConfigInput", {
  fields: (t) => ({
    serviceId: t.globalID({ required: true, for: ServiceNode }),
    name: t.string({ required: true }),
    settings: t.field({ type: "JSON", required: true }),
  }),
});

const UpdateDeployConfigInput = builder.inputType("UpdateDeployConfigInput", {
  fields: (t) => ({ name: t.string(), settings: t.field({ type: "JSON" }) }),
});

builder.mutationFields((t) => ({
  createDeployConfig: t.field({
    type: DeployConfigNode,
    authScopes: { scope: "projects:write" },
    errors: { types: [ValidationError, ConflictError, NotFoundError] },
    args: { input: t.arg({ type: CreateDeployConfigInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      createDeployConfig(ctx.deps, viewerOf(ctx), { ...input, serviceId: input.serviceId.id }),
  }),
  updateDeployConfig: t.field({
    type: DeployConfigNode,
    authScopes: { scope: "projects:write" },
    errors: { types: [ValidationError, ConflictError, NotFoundError] },
    args: {
      id: t.arg.globalID({ required: true, for: DeployConfigNode }),
      input: t.arg({ type: UpdateDeployConfigInput, required: true }),
    },
    resolve: (_root, { id, input }, ctx) =>
      updateDeployConfig(ctx.deps, id.id, { name: input.name ?? undefined, settings: input.settings ?? undefined }),
  }),
  deleteDeployConfig: t.field({
    type: DeployConfigNode,
    authScopes: { scope: "projects:write" },
    errors: { types: [NotFoundError] },
    args: { id: t.arg.globalID({ required: true, for: DeployConfigNode }) },
    resolve: (_root, args, ctx) => deleteDeployConfig(ctx.deps, args.id.id),
  }),
}));
