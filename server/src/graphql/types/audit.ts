import { countAuditEntries, listAuditActions, listAuditEntries } from "../../domain/audit/list-audit-entries.js";
import { builder } from "../builder.js";
import { UserNode } from "./user.js";

// Read only: there is no mutation that changes or deletes an entry.
builder.prismaObject("AuditLogEntry", {
  name: "AuditEntry",
  authScopes: { scope: "admin" },
  description: "One mutation attempt: who, what, the outcome, and its arguments with every secret removed.",
  fields: (t) => ({
    id: t.exposeID("id"),
    action: t.exposeString("action", { description: "The mutation's name." }),
    outcome: t.exposeString("outcome", { description: '"ok", or the code of the error it ended with (VALIDATION, FORBIDDEN, UNAUTHENTICATED, ...).' }),
    actor: t.relation("actor", { nullable: true }),
    targetType: t.exposeString("targetType", { nullable: true }),
    targetId: t.exposeString("targetId", { nullable: true }),
    details: t.expose("details", { type: "JSON", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.queryFields((t) => ({
  auditLog: t.prismaConnection({
    type: "AuditLogEntry",
    cursor: "id",
    description: "Every mutation attempt, newest first (admins). `outcome`: \"ok\", \"failed\" (anything else), or one code.",
    authScopes: { scope: "admin" },
    args: {
      actor: t.arg.globalID({ for: UserNode }),
      action: t.arg.string(),
      outcome: t.arg.string(),
      since: t.arg({ type: "DateTime" }),
    },
    resolve: (query, _root, args, ctx) => listAuditEntries(ctx.deps, filterOf(args), query),
    totalCount: (_root, args, ctx) => countAuditEntries(ctx.deps, filterOf(args)),
  }),
  auditActions: t.stringList({
    description: "The actions the audit log holds, for filtering.",
    authScopes: { scope: "admin" },
    resolve: (_root, _args, ctx) => listAuditActions(ctx.deps),
  }),
}));

function filterOf(args: { actor?: { id: string } | null; action?: string | null; outcome?: string | null; since?: Date | null }) {
  return { actorId: args.actor?.id, action: args.action ?? undefined, outcome: args.outcome ?? undefined, since: args.since ?? undefined };
}
