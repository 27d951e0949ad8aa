import { countProjects, createProject, findProject, listProjects } from "../../domain/projects/projects.js";
import { builder } from "../builder.js";
import { ConflictError, ValidationError } from "../errors.js";
import { viewerOf } from "../viewer.js";

export const ProjectNode = builder.prismaNode("Project", {
  id: { field: "id" },
  // An unknown id is null from node(id), not an error.
  nullable: true,
  authScopes: { scope: "read" },
  fields: (t) => ({
    name: t.exposeString("name"),
    description: t.exposeString("description"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    services: t.relatedConnection("services", { cursor: "id", totalCount: true, query: { orderBy: { name: "asc" } } }),
  }),
});

builder.queryFields((t) => ({
  projects: t.prismaConnection(
    {
      type: "Project",
      cursor: "id",
      authScopes: { scope: "read" },
      resolve: (query, _root, _args, ctx) => listProjects(ctx.deps, query),
      totalCount: (_root, _args, ctx) => countProjects(ctx.deps),
    },
  ),
  project: t.prismaField({
    type: "Project",
    nullable: true,
    authScopes: { scope: "read" },
    args: { id: t.arg.globalID({ required: true, for: ProjectNode }) },
    resolve: (query, _root, args, ctx) => findProject(ctx.deps, args.id.id, query),
  }),
}));

const CreateProjectInput = builder.inputType("CreateProjectInput", {
  fields: (t) => ({ name: t.string({ required: true }), description: t.string() }),
});

builder.mutationField("createProject", (t) =>
  t.field({
    type: ProjectNode,
    authScopes: { scope: "projects:write" },
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreateProjectInput, required: true }) },
    resolve: (_root, args, ctx) => createProject(ctx.deps, viewerOf(ctx), { ...args.input, description: args.input.description ?? undefined }),
  }),
);
