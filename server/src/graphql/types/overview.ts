import { findProject } from "../../domain/projects/projects.js";
import { getServiceOrThrow } from "../../domain/services/services.js";
import { getOverview, type Overview } from "../../domain/overview/get-overview.js";
import { builder } from "../builder.js";

const OverviewObject = builder.objectRef<Overview>("Overview").implement({
  description: "How far this install has come; the console's getting-started checklist ticks off from it.",
  fields: (t) => ({
    verifiedDigitalOcean: t.exposeBoolean("verifiedDigitalOcean", { description: "A DigitalOcean token is stored and verified." }),
    verifiedCloudflare: t.exposeBoolean("verifiedCloudflare", { description: "A Cloudflare token is stored and verified." }),
    servers: t.exposeInt("servers"),
    projects: t.exposeInt("projects"),
    services: t.exposeInt("services"),
    succeededDeployments: t.exposeInt("succeededDeployments"),
    domains: t.exposeInt("domains"),
    firstProject: t.prismaField({
      type: "Project",
      nullable: true,
      description: "The first project by name, for next-step links.",
      resolve: (query, o, _args, ctx) => (o.firstProjectId ? findProject(ctx.deps, o.firstProjectId, query) : null),
    }),
    firstService: t.prismaField({
      type: "Service",
      nullable: true,
      description: "The first service of the first project with one, for next-step links.",
      resolve: (query, o, _args, ctx) => (o.firstServiceId ? getServiceOrThrow(ctx.deps, o.firstServiceId, query) : null),
    }),
  }),
});

builder.queryField("overview", (t) =>
  t.field({ type: OverviewObject, authScopes: { scope: "read" }, resolve: (_root, _args, ctx) => getOverview(ctx.deps) }),
);
