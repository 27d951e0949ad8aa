import { SourceTypeEnum } from "./enums.js";
import { createService } from "../../domain/services/services.js";
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
    healthCheckTimeoutSeconds: t.exposeInt("healthCheckTimeoutSeconds"),
    sourceType: t.expose("sourceType", { type: SourceTypeEnum }),
    imageBase: t.exposeString("imageBase"),
    keepImages: t.exposeInt("keepImages"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    project: t.relation("project"),
  }),
});

const CreateServiceInput = builder.inputType("CreateServiceInput", {
  fields: (t) => ({
    projectId: t.globalID({ required: true, for: ProjectNode }),
    name: t.string({ required: true }),
    port: t.int(),
    healthCheckPath: t.string(),
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
      }),
  }),
);
