import { getAutoscalePolicy, setAutoscalePolicy } from "../../domain/autoscaling/set-autoscale-policy.js";
import { listAutoscaleDecisions } from "../../domain/autoscaling/queries.js";
import { AutoscaleAction } from "../../generated/prisma/enums.js";
import { builder } from "../builder.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { OperationNode } from "./operation.js";
import { ServiceNode } from "./service.js";
import { ProviderError, SnapshotNode, withoutNulls } from "./snapshot.js";

export const AutoscaleActionEnum = builder.enumType(AutoscaleAction, { name: "AutoscaleAction" });

export const AutoscaleDecisionObject = builder.prismaObject("AutoscaleDecision", {
  authScopes: { scope: "read" },
  description: "One evaluation of an autoscaling policy: what was observed, what it asked for and what was done, in words.",
  fields: (t) => ({
    at: t.expose("at", { type: "DateTime" }),
    action: t.expose("action", { type: AutoscaleActionEnum }),
    currentServers: t.exposeInt("currentServers"),
    recommendedServers: t.exposeInt("recommendedServers", { description: "What the targets asked for (before limits, the window and the bounds)." }),
    desiredServers: t.exposeInt("desiredServers"),
    reason: t.exposeString("reason"),
    operation: t.field({
      type: OperationNode,
      nullable: true,
      description: "The SCALE operation that carried it out; null for decisions that changed nothing.",
      resolve: (decision, _args, ctx) => (decision.operationId ? ctx.deps.db.operation.findUnique({ where: { id: decision.operationId } }) : null),
    }),
  }),
});

export const AutoscalePolicyObject = builder.prismaObject("AutoscalePolicy", {
  authScopes: { scope: "read" },
  fields: (t) => ({
    enabled: t.exposeBoolean("enabled"),
    minServers: t.exposeInt("minServers"),
    maxServers: t.exposeInt("maxServers"),
    targetCpuPercent: t.exposeFloat("targetCpuPercent", { nullable: true, description: "Host CPU utilisation per server, in %." }),
    targetRequestsPerSecond: t.exposeFloat("targetRequestsPerSecond", { nullable: true, description: "Requests per second per server." }),
    snapshot: t.field({
      type: SnapshotNode,
      nullable: true,
      resolve: (policy, _args, ctx) => (policy.snapshotId ? ctx.deps.db.snapshot.findUnique({ where: { id: policy.snapshotId } }) : null),
    }),
    region: t.exposeString("region", { nullable: true }),
    size: t.exposeString("size", { nullable: true, description: 'Null: "s-1vcpu-1gb".' }),
    scaleOutStep: t.exposeInt("scaleOutStep", { description: "A scale-out adds at most max(current, scaleOutStep) servers." }),
    scaleOutCooldownSeconds: t.exposeInt("scaleOutCooldownSeconds"),
    scaleInWindowSeconds: t.exposeInt("scaleInWindowSeconds", { description: "Scale in follows the highest recommendation of this window." }),
    warmupSeconds: t.exposeInt("warmupSeconds"),
    scalingOperation: t.field({
      type: OperationNode,
      nullable: true,
      description: "The SCALE operation running now, if any.",
      resolve: (policy, _args, ctx) => (policy.scalingOperationId ? ctx.deps.db.operation.findUnique({ where: { id: policy.scalingOperationId } }) : null),
    }),
    lastScaleOutAt: t.expose("lastScaleOutAt", { type: "DateTime", nullable: true }),
    lastScaleInAt: t.expose("lastScaleInAt", { type: "DateTime", nullable: true }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.prismaObjectFields("Service", (t) => ({
  autoscalePolicy: t.field({
    type: AutoscalePolicyObject,
    nullable: true,
    resolve: (service, _args, ctx) => getAutoscalePolicy(ctx.deps, service.id),
  }),
  autoscaleDecisions: t.field({
    type: [AutoscaleDecisionObject],
    description: "The latest evaluations, newest first (those that changed nothing are kept a day).",
    args: { first: t.arg.int({ defaultValue: 20 }), actedOnly: t.arg.boolean({ defaultValue: false }) },
    resolve: (service, args, ctx) => listAutoscaleDecisions(ctx.deps, service.id, { first: args.first ?? 20, actedOnly: args.actedOnly ?? false }),
  }),
}));

builder.prismaObjectFields("Server", (t) => ({
  autoscaled: t.boolean({
    description: "Created by a service's autoscaling policy (the only servers a policy ever removes).",
    resolve: async (server, _args, ctx) => (await ctx.deps.db.autoscaledServer.count({ where: { serverId: server.id } })) > 0,
  }),
}));

const AutoscalePolicyInput = builder.inputType("AutoscalePolicyInput", {
  fields: (t) => ({
    enabled: t.boolean({ required: true }),
    minServers: t.int({ required: true }),
    maxServers: t.int({ required: true }),
    targetCpuPercent: t.float({ description: "1-100; at least one target is set." }),
    targetRequestsPerSecond: t.float(),
    snapshotId: t.globalID({ for: SnapshotNode, description: "What new servers are made from; required when enabled." }),
    region: t.string({ description: "Defaults to the snapshot's first region." }),
    size: t.string({ description: 'Defaults to "s-1vcpu-1gb".' }),
    scaleOutStep: t.int({ description: "Defaults to 4." }),
    scaleOutCooldownSeconds: t.int({ description: "Defaults to 180." }),
    scaleInWindowSeconds: t.int({ description: "Defaults to 600." }),
    warmupSeconds: t.int({ description: "Defaults to 120." }),
  }),
});

builder.mutationField("setAutoscalePolicy", (t) =>
  t.field({
    type: AutoscalePolicyObject,
    description: "Sets (replaces) the service's autoscaling policy; omitted fields take their defaults. It applies from the next evaluation; a scaling operation already running finishes its step.",
    authScopes: { scope: "servers:write" },
    errors: { types: [ValidationError, NotFoundError, ProviderError] },
    args: { serviceId: t.arg.globalID({ required: true, for: ServiceNode }), input: t.arg({ type: AutoscalePolicyInput, required: true }) },
    resolve: (_root, { serviceId, input }, ctx) =>
      setAutoscalePolicy(ctx.deps, {
        serviceId: serviceId.id,
        ...withoutNulls({ ...input, snapshotId: input.snapshotId?.id }),
      }),
  }),
);
