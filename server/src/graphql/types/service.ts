import { SourceTypeEnum } from "./enums.js";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { deleteService, type ServiceDeletion } from "../../domain/services/delete-service.js";
import { serviceRemovalPlan, type ServerRemoval, type ServiceRemovalPlan } from "../../domain/services/service-removal-plan.js";
import { createService, findServiceByName } from "../../domain/services/services.js";
import { updateService } from "../../domain/services/update-service.js";
import { listServiceDomains, listServiceEnv, setServiceEnv, visibleEnvValue } from "../../domain/services/service-config.js";
import { builder } from "../builder.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { viewerOf } from "../viewer.js";
import { OperationNode } from "./operation.js";
import { ProjectNode } from "./project.js";

export const ServiceNode = builder.prismaNode("Service", {
  id: { field: "id" },
  // An unknown id is null from node(id), not an error.
  nullable: true,
  authScopes: { scope: "read" },
  fields: (t) => ({
    name: t.exposeString("name"),
    port: t.exposeInt("port"),
    healthCheckPath: t.exposeString("healthCheckPath"),
    healthCheckTimeoutSeconds: t.exposeInt("healthCheckTimeoutSeconds", { description: "How long a new container may take to pass its health check (default 30)." }),
    healthCheckIntervalMs: t.exposeInt("healthCheckIntervalMs", { description: "Pause between health checks once the first quick ones failed (default 200)." }),
    drainTimeoutSeconds: t.exposeInt("drainTimeoutSeconds", {
      description: "After a switch, the old container runs until nginx's old workers finished their requests, at most this long (default 30).",
    }),
    sourceType: t.expose("sourceType", { type: SourceTypeEnum }),
    imageBase: t.exposeString("imageBase"),
    keepImages: t.exposeInt("keepImages"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    project: t.relation("project"),
    envVars: t.field({
      type: [EnvVarObject],
      description: "Secret values are never returned: `value` is null for them.",
      resolve: async (service, _args, ctx) =>
        (await listServiceEnv(ctx.deps, service.id)).map((v) => ({ key: v.key, secret: v.secret, value: visibleEnvValue(ctx.deps, v) })),
    }),
    domains: t.stringList({ resolve: async (service, _args, ctx) => (await listServiceDomains(ctx.deps, service.id)).map((d) => d.hostname) }),
    servers: t.relation("servers", { description: "The servers that run this service, and what each runs now." }),
    removal: t.field({
      type: ServiceRemovalObject,
      description: "What deleting this service would remove outside the database, and whether it may be deleted now.",
      resolve: (service, _args, ctx) => serviceRemovalPlan(ctx.deps, service.id),
    }),
  }),
});

const ServerRemovalObject = builder.objectRef<ServerRemoval>("ServerRemoval").implement({
  description: "What deleting a service removes from one server.",
  fields: (t) => ({
    serverId: t.field({ type: "ID", resolve: (removal) => encodeGlobalID("Server", removal.serverId) }),
    serverName: t.exposeString("serverName"),
    agentName: t.exposeString("agentName", { description: "The containers and the nginx site carry this name." }),
    images: t.exposeStringList("images", { description: "The service's deployment images placed on this server." }),
  }),
});

const ServiceRemovalObject = builder.objectRef<ServiceRemovalPlan>("ServiceRemoval").implement({
  fields: (t) => ({
    servers: t.field({ type: [ServerRemovalObject], resolve: (plan) => plan.servers }),
    dnsHostnames: t.exposeStringList("dnsHostnames", { description: "Hostnames whose Cloudflare DNS records for this service are deleted." }),
    blockedBy: t.exposeString("blockedBy", { nullable: true, description: "Why it cannot be deleted now; null when it can." }),
  }),
});

const EnvVarObject = builder.objectRef<{ key: string; value: string | null; secret: boolean }>("EnvVar").implement({
  fields: (t) => ({
    key: t.exposeString("key"),
    value: t.exposeString("value", { nullable: true }),
    secret: t.exposeBoolean("secret"),
  }),
});

builder.prismaObject("ServiceServer", {
  fields: (t) => ({
    server: t.relation("server"),
    currentDeployment: t.relation("currentDeployment", {
      nullable: true,
      description: "What the server's agent last reported running; null while unknown (contact lost mid-release).",
    }),
    containerId: t.exposeString("containerId", { nullable: true }),
    reportedAt: t.expose("reportedAt", { type: "DateTime", nullable: true, description: "When its agent last reported what it runs." }),
    addedAt: t.expose("addedAt", { type: "DateTime" }),
  }),
});

const CreateServiceInput = builder.inputType("CreateServiceInput", {
  fields: (t) => ({
    projectId: t.globalID({ required: true, for: ProjectNode }),
    name: t.string({ required: true }),
    port: t.int(),
    healthCheckPath: t.string(),
    healthCheckTimeoutSeconds: t.int(),
    healthCheckIntervalMs: t.int(),
    drainTimeoutSeconds: t.int(),
  }),
});

builder.mutationField("createService", (t) =>
  t.field({
    type: ServiceNode,
    authScopes: { scope: "projects:write" },
    errors: { types: [ValidationError, ConflictError, NotFoundError] },
    args: { input: t.arg({ type: CreateServiceInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      createService(ctx.deps, {
        projectId: input.projectId.id,
        name: input.name,
        port: input.port ?? undefined,
        healthCheckPath: input.healthCheckPath ?? undefined,
        healthCheckTimeoutSeconds: input.healthCheckTimeoutSeconds ?? undefined,
        healthCheckIntervalMs: input.healthCheckIntervalMs ?? undefined,
        drainTimeoutSeconds: input.drainTimeoutSeconds ?? undefined,
      }),
  }),
);

const EnvVarInput = builder.inputType("EnvVarInput", {
  fields: (t) => ({
    key: t.string({ required: true }),
    value: t.string({ description: "Leave out to keep the stored value (secrets are never sent back)." }),
    secret: t.boolean(),
  }),
});

builder.mutationFields((t) => ({
  setServiceEnv: t.field({
    type: ServiceNode,
    description: "Replaces the service's env vars. Takes effect with the next deployment.",
    authScopes: { scope: "projects:write" },
    errors: { types: [ValidationError, NotFoundError] },
    args: { serviceId: t.arg.globalID({ required: true, for: ServiceNode }), vars: t.arg({ type: [EnvVarInput], required: true }) },
    resolve: (_root, args, ctx) =>
      setServiceEnv(ctx.deps, {
        serviceId: args.serviceId.id,
        vars: args.vars.map((v) => ({ key: v.key, value: v.value ?? undefined, secret: v.secret ?? false })),
      }),
  }),
}));

const UpdateServiceInput = builder.inputType("UpdateServiceInput", {
  description: "Leave a field out to keep it. Settings take effect with the next deployment.",
  fields: (t) => ({
    id: t.globalID({ required: true, for: ServiceNode }),
    name: t.string(),
    port: t.int(),
    healthCheckPath: t.string(),
    healthCheckTimeoutSeconds: t.int(),
    healthCheckIntervalMs: t.int(),
    drainTimeoutSeconds: t.int(),
  }),
});

const DeletedService = builder.objectRef<ServiceDeletion>("DeletedService").implement({
  fields: (t) => ({
    id: t.field({ type: "ID", resolve: (deletion) => encodeGlobalID("Service", deletion.plan.serviceId) }),
    removed: t.field({ type: ServiceRemovalObject, description: "What is removed outside Slipway's database.", resolve: (deletion) => deletion.plan }),
    operation: t.field({
      type: OperationNode,
      nullable: true,
      description: "The operation removing it from its servers and DNS, then deleting it; null when it ran nowhere and is deleted already.",
      resolve: (deletion) => deletion.operation,
    }),
  }),
});

builder.mutationFields((t) => ({
  updateService: t.field({
    type: ServiceNode,
    description: "Renames a service or changes its port, health check and drain period; what runs keeps running until the next deployment.",
    authScopes: { scope: "projects:write" },
    errors: { types: [ValidationError, ConflictError, NotFoundError] },
    args: { input: t.arg({ type: UpdateServiceInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      updateService(ctx.deps, {
        id: input.id.id,
        name: input.name ?? undefined,
        port: input.port ?? undefined,
        healthCheckPath: input.healthCheckPath ?? undefined,
        healthCheckTimeoutSeconds: input.healthCheckTimeoutSeconds ?? undefined,
        healthCheckIntervalMs: input.healthCheckIntervalMs ?? undefined,
        drainTimeoutSeconds: input.drainTimeoutSeconds ?? undefined,
      }),
  }),
  deleteService: t.field({
    type: DeletedService,
    description:
      "Deletes a service and its deployments. One that ran is first removed from its servers (containers, nginx site, images) and DNS by an operation, " +
      "during which no deploy can start; refused while a deployment runs. `Service.removal` says what it removes.",
    authScopes: { scope: "projects:write" },
    errors: { types: [ValidationError, ConflictError, NotFoundError] },
    args: { id: t.arg.globalID({ required: true, for: ServiceNode }) },
    resolve: (_root, args, ctx) => deleteService(ctx.deps, viewerOf(ctx), { id: args.id.id }),
  }),
}));

builder.queryField("serviceByName", (t) =>
  t.prismaField({
    type: "Service",
    nullable: true,
    description: "A service by its project's name and its own.",
    authScopes: { scope: "read" },
    args: { project: t.arg.string({ required: true }), name: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) => findServiceByName(ctx.deps, args.project, args.name, query),
  }),
);
