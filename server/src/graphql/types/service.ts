import { SourceTypeEnum } from "./enums.js";
import { createService } from "../../domain/services/services.js";
import { listServiceDomains, listServiceEnv, setServiceEnv, visibleEnvValue } from "../../domain/services/service-config.js";
import { builder } from "../builder.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { ProjectNode } from "./project.js";

export const ServiceNode = builder.prismaNode("Service", {
  id: { field: "id" },
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
