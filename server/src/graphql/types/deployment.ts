import { rollbackDeployment } from "../../domain/deployments/rollback-deployment.js";
import { createDeployment, type UploadedArchive } from "../../domain/deployments/create-deployment.js";
import { startImageCleanup } from "../../domain/deployments/cleanup-images-operation.js";
import { countDeployments, listDeployments, setDeploymentPinned } from "../../domain/deployments/queries.js";
import { requestDeploymentCancel } from "../../domain/operations/cancel-operation.js";
import type { Deployment, Operation } from "../../generated/prisma/client.js";
import { builder } from "../builder.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { viewerOf } from "../viewer.js";
import { DeploymentStatusEnum, ReleaseStateEnum, SourceTypeEnum } from "./enums.js";
import { OperationNode } from "./operation.js";
import { ServiceNode } from "./service.js";

builder.scalarType("File", {
  description: "An uploaded file (GraphQL multipart request).",
  serialize: () => {
    throw new Error("File is an input-only scalar");
  },
});

const DeploymentTargetObject = builder.prismaObject("DeploymentTarget", {
  description: "One deployment on one server: its release state, written at every transition.",
  fields: (t) => ({
    server: t.relation("server"),
    state: t.expose("state", { type: ReleaseStateEnum }),
    containerId: t.exposeString("containerId", { nullable: true }),
    error: t.exposeString("error", { nullable: true }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

export const DeploymentNode = builder.prismaNode("Deployment", {
  id: { field: "id" },
  // An unknown id is null from node(id), not an error.
  nullable: true,
  authScopes: { scope: "read" },
  fields: (t) => ({
    service: t.relation("service"),
    status: t.expose("status", { type: DeploymentStatusEnum }),
    sourceType: t.expose("sourceType", { type: SourceTypeEnum }),
    sourceRef: t.exposeString("sourceRef"),
    imageTag: t.exposeString("imageTag"),
    port: t.exposeInt("port"),
    healthCheckPath: t.exposeString("healthCheckPath"),
    healthCheckTimeoutSeconds: t.exposeInt("healthCheckTimeoutSeconds"),
    healthCheckIntervalMs: t.exposeInt("healthCheckIntervalMs"),
    drainTimeoutSeconds: t.exposeInt("drainTimeoutSeconds"),
    domains: t.stringList({ resolve: (d) => d.domains as string[] }),
    pinned: t.exposeBoolean("pinned"),
    rolledBackFrom: t.relation("rolledBackFrom", { nullable: true, description: "The release this rollback replaced." }),
    restored: t.relation("restored", { nullable: true, description: "The earlier deployment whose image and config this rollback restored." }),
    operation: t.relation("operation", { nullable: true }),
    targets: t.relation("targets"),
    error: t.exposeString("error", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    startedAt: t.expose("startedAt", { type: "DateTime", nullable: true }),
    routedAt: t.expose("routedAt", {
      type: "DateTime",
      nullable: true,
      description: "When every target server routed traffic to this release (old containers may still have been draining).",
    }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true }),
  }),
});
void DeploymentTargetObject;

const DeploymentStarted = builder.objectRef<{ deployment: Deployment; operation: Operation }>("DeploymentStarted").implement({
  description: "A deployment was recorded and its operation started; follow it with operationEvents.",
  fields: (t) => ({
    deployment: t.field({ type: DeploymentNode, resolve: (started) => started.deployment }),
    operation: t.field({ type: OperationNode, resolve: (started) => started.operation }),
  }),
});

builder.queryField("deployments", (t) =>
  t.prismaConnection({
    type: "Deployment",
    cursor: "id",
    authScopes: { scope: "read" },
    args: {
      serviceId: t.arg.globalID({ for: ServiceNode }),
      status: t.arg({ type: DeploymentStatusEnum }),
    },
    resolve: (query, _root, args, ctx) => listDeployments(ctx.deps, { serviceId: args.serviceId?.id, status: args.status }, query),
    totalCount: (_root, args, ctx) => countDeployments(ctx.deps, { serviceId: args.serviceId?.id, status: args.status }),
  }),
);

const DeploySourceInput = builder.inputType("DeploySourceInput", {
  description: "ARCHIVE needs the `archive` upload; GIT needs repository and ref; IMAGE needs image.",
  fields: (t) => ({
    type: t.field({ type: SourceTypeEnum, required: true }),
    repository: t.string(),
    ref: t.string(),
    image: t.string(),
    pullAlways: t.boolean({ description: "IMAGE: pull even when the reference is on the server already (default: only when missing)." }),
  }),
});

const DeployInput = builder.inputType("DeployInput", {
  fields: (t) => ({
    serviceId: t.globalID({ required: true, for: ServiceNode }),
    source: t.field({ type: DeploySourceInput, required: true }),
    serverIds: t.globalIDList({ description: "Defaults to the servers already running the service." }),
  }),
});

builder.mutationFields((t) => ({
  deploy: t.field({
    type: DeploymentStarted,
    authScopes: { scope: "deploy" },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: {
      input: t.arg({ type: DeployInput, required: true }),
      archive: t.arg({ type: "File" }),
    },
    resolve: (_root, { input, archive }, ctx) =>
      createDeployment(
        ctx.deps,
        viewerOf(ctx),
        {
          serviceId: input.serviceId.id,
          source: withoutNulls(input.source),
          serverIds: input.serverIds?.map((id) => id.id),
        },
        archive as UploadedArchive | null | undefined,
      ),
  }),
  rollback: t.field({
    type: DeploymentStarted,
    authScopes: { scope: "deploy" },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: { deploymentId: t.arg.globalID({ required: true, for: DeploymentNode }) },
    resolve: (_root, args, ctx) => rollbackDeployment(ctx.deps, viewerOf(ctx), { deploymentId: args.deploymentId.id }),
  }),
  cleanupImages: t.field({
    type: OperationNode,
    authScopes: { scope: "deploy" },
    errors: { types: [NotFoundError] },
    args: { serviceId: t.arg.globalID({ required: true, for: ServiceNode }) },
    resolve: (_root, args, ctx) => startImageCleanup(ctx.deps, viewerOf(ctx), args.serviceId.id),
  }),
  pinDeployment: t.field({
    type: DeploymentNode,
    authScopes: { scope: "deploy" },
    errors: { types: [NotFoundError] },
    args: { id: t.arg.globalID({ required: true, for: DeploymentNode }) },
    resolve: (_root, args, ctx) => setDeploymentPinned(ctx.deps, args.id.id, true),
  }),
  cancelDeployment: t.field({
    type: OperationNode,
    description: "cancelOperation for the deploy or rollback that records this deployment; answers its operation.",
    authScopes: { scope: "deploy" },
    errors: { types: [NotFoundError, ConflictError] },
    args: { id: t.arg.globalID({ required: true, for: DeploymentNode }) },
    resolve: (_root, args, ctx) => requestDeploymentCancel(ctx.deps, viewerOf(ctx), args.id.id),
  }),
  unpinDeployment: t.field({
    type: DeploymentNode,
    authScopes: { scope: "deploy" },
    errors: { types: [NotFoundError] },
    args: { id: t.arg.globalID({ required: true, for: DeploymentNode }) },
    resolve: (_root, args, ctx) => setDeploymentPinned(ctx.deps, args.id.id, false),
  }),
}));

/** GraphQL sends absent optional fields as null; the domain's schemas expect them left out. */
function withoutNulls<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)) as { [K in keyof T]: Exclude<T[K], null> };
}
