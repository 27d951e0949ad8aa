import { deleteServer } from "../../domain/provisioning/delete-server.js";
import { provisionServers } from "../../domain/provisioning/provision-servers.js";
import { listRegions, listSizes } from "../../domain/provisioning/queries.js";
import type { Region, Size } from "../../integrations/digitalocean/index.js";
import { builder } from "../builder.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { viewerOf } from "../viewer.js";
import { OperationNode } from "./operation.js";
import { ServerNode } from "./server.js";
import { ProviderError, SnapshotNode, UnmanagedServerError, withoutNulls } from "./snapshot.js";

const RegionObject = builder.objectRef<Region>("Region").implement({
  description: "A DigitalOcean region, as its API describes it.",
  fields: (t) => ({
    slug: t.exposeString("slug"),
    name: t.exposeString("name"),
    available: t.exposeBoolean("available"),
    sizes: t.stringList({ resolve: (region) => region.sizes }),
  }),
});

const SizeObject = builder.objectRef<Size>("Size").implement({
  description: "A DigitalOcean droplet size.",
  fields: (t) => ({
    slug: t.exposeString("slug"),
    memoryMegabytes: t.int({ resolve: (size) => size.memory }),
    vcpus: t.exposeInt("vcpus"),
    diskGigabytes: t.int({ resolve: (size) => size.disk }),
    priceMonthly: t.float({ resolve: (size) => size.price_monthly }),
    available: t.exposeBoolean("available"),
    regions: t.stringList({ resolve: (size) => size.regions }),
    description: t.string({ resolve: (size) => size.description ?? "" }),
  }),
});

builder.queryFields((t) => ({
  regions: t.field({
    type: [RegionObject],
    description: "DigitalOcean's regions, asked with the stored DIGITALOCEAN credential.",
    authScopes: { scope: "read" },
    errors: { types: [NotFoundError, ProviderError] },
    resolve: (_root, _args, ctx) => listRegions(ctx.deps),
  }),
  sizes: t.field({
    type: [SizeObject],
    description: "DigitalOcean's droplet sizes, asked with the stored DIGITALOCEAN credential.",
    authScopes: { scope: "read" },
    errors: { types: [NotFoundError, ProviderError] },
    resolve: (_root, _args, ctx) => listSizes(ctx.deps),
  }),
}));

const ProvisionServersInput = builder.inputType("ProvisionServersInput", {
  fields: (t) => ({
    snapshotId: t.globalID({ required: true, for: SnapshotNode }),
    count: t.int({ description: "1 to 50; defaults to 1." }),
    namePrefix: t.string({ description: 'Servers are named <prefix>-<6 hex>; defaults to "server".' }),
    region: t.string({ description: "Defaults to the snapshot's first region." }),
    size: t.string({ description: 'Defaults to "s-1vcpu-1gb".' }),
  }),
});

builder.mutationFields((t) => ({
  provisionServers: t.field({
    type: OperationNode,
    description: "Creates droplets from a snapshot, pins their host keys and gives each agent its own token; follow the operation's events.",
    authScopes: { scope: "servers:write" },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: { input: t.arg({ type: ProvisionServersInput, required: true }) },
    resolve: (_root, { input }, ctx) => provisionServers(ctx.deps, viewerOf(ctx), { ...withoutNulls(input), snapshotId: input.snapshotId.id }),
  }),
  deleteServer: t.field({
    type: OperationNode,
    description: "Drains the server, destroys its droplet (an adopted host is only forgotten) and removes it. An unmanaged droplet needs force.",
    authScopes: { scope: "servers:write" },
    errors: { types: [NotFoundError, ConflictError, UnmanagedServerError] },
    args: {
      id: t.arg.globalID({ required: true, for: ServerNode }),
      force: t.arg.boolean({ defaultValue: false }),
    },
    resolve: (_root, args, ctx) => deleteServer(ctx.deps, viewerOf(ctx), args.id.id, { force: args.force ?? false }),
  }),
}));
