import { encodeGlobalID } from "@pothos/plugin-relay";
import { deleteProject } from "../../domain/projects/delete-project.js";
import { countProjects, createProject, findProject, findProjectByName, listProjects } from "../../domain/projects/projects.js";
import { updateProject } from "../../domain/projects/update-project.js";
import { builder } from "../builder.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
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
  projectByName: t.prismaField({
    type: "Project",
    nullable: true,
    authScopes: { scope: "read" },
    args: { name: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) => findProjectByName(ctx.deps, args.name, query),
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

const UpdateProjectInput = builder.inputType("UpdateProjectInput", {
  fields: (t) => ({
    id: t.globalID({ required: true, for: ProjectNode }),
    name: t.string({ description: "Leave out to keep it." }),
    description: t.string({ description: "Leave out to keep it." }),
  }),
});

const DeletedProject = builder.objectRef<{ id: string; name: string }>("DeletedProject").implement({
  fields: (t) => ({
    id: t.field({ type: "ID", resolve: (project) => encodeGlobalID("Project", project.id) }),
    name: t.exposeString("name"),
  }),
});

builder.mutationFields((t) => ({
  updateProject: t.field({
    type: ProjectNode,
    description: "Renames a project or changes its description. Services keep running as they are.",
    authScopes: { scope: "projects:write" },
    errors: { types: [ValidationError, ConflictError, NotFoundError] },
    args: { input: t.arg({ type: UpdateProjectInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      updateProject(ctx.deps, { id: input.id.id, name: input.name ?? undefined, description: input.description ?? undefined }),
  }),
  deleteProject: t.field({
    type: DeletedProject,
    description: "Deletes a project that has no services (delete those first: each says what it removes).",
    authScopes: { scope: "projects:write" },
    errors: { types: [ValidationError, ConflictError, NotFoundError] },
    args: { id: t.arg.globalID({ required: true, for: ProjectNode }) },
    resolve: (_root, args, ctx) => deleteProject(ctx.deps, { id: args.id.id }),
  }),
}));
