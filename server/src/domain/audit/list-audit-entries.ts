import { z } from "zod";
import type { AuditLogEntry, Prisma } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { parseInput } from "../validation.js";

const AuditFilter = z.object({
  actorId: z.string().uuid().optional(),
  action: z.string().trim().min(1).max(100).optional(),
  /** "ok", "failed" (anything but ok), or one outcome code. */
  outcome: z.string().trim().min(1).max(100).optional(),
  since: z.date().optional(),
});

export type AuditFilter = z.input<typeof AuditFilter>;

function whereOf(filter: z.infer<typeof AuditFilter>): Prisma.AuditLogEntryWhereInput {
  return {
    ...(filter.actorId ? { actorId: filter.actorId } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.outcome === "failed" ? { outcome: { not: "ok" } } : filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.since ? { createdAt: { gte: filter.since } } : {}),
  };
}

/** Newest first; `query` carries the page window and selection GraphQL asked for. Read only: nothing changes or deletes entries. */
export async function listAuditEntries<Q extends object>(deps: Deps, filter: AuditFilter, query?: Q): Promise<AuditLogEntry[]> {
  return deps.db.auditLogEntry.findMany({ ...query, where: whereOf(parseInput(AuditFilter, filter)), orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
}

export async function countAuditEntries(deps: Deps, filter: AuditFilter): Promise<number> {
  return deps.db.auditLogEntry.count({ where: whereOf(parseInput(AuditFilter, filter)) });
}

/** The distinct actions recorded, for the console's filter. */
export async function listAuditActions(deps: Deps): Promise<string[]> {
  const rows = await deps.db.auditLogEntry.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" }, take: 500 });
  return rows.map((r) => r.action);
}
