import { encodeGlobalID } from "@pothos/plugin-relay";
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
    firstProjectId: t.field({ type: "ID", nullable: true, resolve: (o) => (o.firstProjectId ? encodeGlobalID("Project", o.firstProjectId) : null) }),
    firstServiceId: t.field({ type: "ID", nullable: true, resolve: (o) => (o.firstServiceId ? encodeGlobalID("Service", o.firstServiceId) : null) }),
  }),
});

builder.queryField("overview", (t) =>
  t.field({ type: OverviewObject, authScopes: { scope: "read" }, resolve: (_root, _args, ctx) => getOverview(ctx.deps) }),
);
