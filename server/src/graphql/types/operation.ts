import { EventLevelEnum, OperationKindEnum, OperationStatusEnum, ReleaseStateEnum } from "./enums.js";
import { requestOperationCancel } from "../../domain/operations/cancel-operation.js";
import { subscribeToOperationEvents } from "../../domain/operations/stream-operation-events.js";
import { listOperations } from "../../domain/operations/queries.js";
import type { OperationEvent } from "../../generated/prisma/client.js";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "../builder.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { viewerOf } from "../viewer.js";
import { resolveAllowed, whileAllowed, type AccessEnded } from "../subscription-access.js";


export const OperationEventObject = builder.prismaObject("OperationEvent", {
  authScopes: { scope: "read" },
  fields: (t) => ({
    seq: t.exposeInt("seq", { description: "1, 2, 3... within the operation; resume with afterSeq." }),
    step: t.exposeString("step"),
    level: t.expose("level", { type: EventLevelEnum }),
    message: t.exposeString("message"),
    progress: t.exposeFloat("progress", { nullable: true }),
    serverId: t.field({
      type: "ID",
      nullable: true,
      description: "The global id of the server the event happened on; null for the control plane's own steps.",
      resolve: (event) => (event.serverId ? encodeGlobalID("Server", event.serverId) : null),
    }),
    releaseState: t.expose("releaseState", {
      type: ReleaseStateEnum,
      nullable: true,
      description: "A deployment's state on the event's server, when the event moved it.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const OperationNode = builder.prismaNode("Operation", {
  id: { field: "id" },
  // An unknown id is null from node(id), not an error.
  nullable: true,
  authScopes: { scope: "read" },
  fields: (t) => ({
    kind: t.expose("kind", { type: OperationKindEnum }),
    status: t.expose("status", { type: OperationStatusEnum }),
    title: t.exposeString("title"),
    error: t.exposeString("error", { nullable: true }),
    lastSeq: t.exposeInt("lastSeq"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    startedAt: t.expose("startedAt", { type: "DateTime", nullable: true }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true }),
    cancelRequestedAt: t.expose("cancelRequestedAt", {
      type: "DateTime",
      nullable: true,
      description: "When someone asked it to stop (cancelOperation); it stops at its next safe point.",
    }),
    events: t.relation("events", {
      args: { afterSeq: t.arg.int({ defaultValue: 0 }), first: t.arg.int({ defaultValue: 500 }) },
      query: (args) => ({
        where: { seq: { gt: args.afterSeq ?? 0 } },
        orderBy: { seq: "asc" },
        take: Math.min(Math.max(args.first ?? 500, 1), 1000),
      }),
    }),
  }),
});

builder.queryField("operations", (t) =>
  t.prismaConnection({
    type: "Operation",
    cursor: "id",
    authScopes: { scope: "read" },
    args: {
      kind: t.arg({ type: OperationKindEnum }),
      status: t.arg({ type: OperationStatusEnum }),
    },
    resolve: (query, _root, args, ctx) => listOperations(ctx.deps, args, query),
  }),
);

builder.mutationField("cancelOperation", (t) =>
  t.field({
    type: OperationNode,
    description:
      "Asks a deploy or rollback to stop: a queued one ends CANCELLED at once, a running one stops at its next safe point and puts its servers back. Asking again answers the same.",
    authScopes: { scope: "deploy" },
    errors: { types: [NotFoundError, ConflictError] },
    args: { id: t.arg.globalID({ required: true, for: OperationNode }) },
    resolve: (_root, args, ctx) => requestOperationCancel(ctx.deps, viewerOf(ctx), args.id.id),
  }),
);

builder.subscriptionField("operationEvents", (t) =>
  t.field({
    type: OperationEventObject,
    description:
      "Replays the operation's events after `afterSeq`, then streams new ones live, each once and in order; completes when the operation ends.",
    authScopes: { scope: "read" },
    args: {
      operationId: t.arg.globalID({ required: true, for: OperationNode }),
      afterSeq: t.arg.int({ defaultValue: 0 }),
    },
    subscribe: async (_root, args, ctx) => whileAllowed(ctx, "read", await subscribeToOperationEvents(ctx.deps, args.operationId.id, args.afterSeq ?? 0)),
    resolve: (event: OperationEvent | AccessEnded) => resolveAllowed(event),
  }),
);
