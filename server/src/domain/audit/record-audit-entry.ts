import type { Prisma } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";

// Arguments are recorded only under these names; every other value is replaced, so a secret
// added to some input later cannot reach the audit log by accident.
const RECORDED_ARGUMENTS = new Set([
  "id", "name", "description", "provider", "scopes", "projectId", "serviceId", "kind", "port",
  "healthCheckPath", "healthCheckTimeoutSeconds", "healthCheckIntervalMs", "drainTimeoutSeconds", "email", "expiresInDays", "afterSeq", "type", "repository", "ref", "image", "serverIds",
  "host", "sshPort", "sshUser", "hostnames", "deploymentId", "keepImages",
  // Env var names (never their values), users and roles, settings, flags.
  "key", "userId", "role", "everyone", "adopt", "force", "allowPrivateTargets", "count", "region", "size", "namePrefix", "snapshotId",
  "sessionId", "actor", "action", "outcome",
]);

// Recorded only when they are booleans (a secret's flag, never anything it holds).
const RECORDED_FLAGS = new Set(["secret"]);

export interface AuditEntry {
  viewer: Viewer | null;
  action: string;
  args: Record<string, unknown>;
  outcome: string;
  targetType?: string | null;
  targetId?: string | null;
}

export async function recordAuditEntry(deps: Deps, entry: AuditEntry): Promise<void> {
  await deps.db.auditLogEntry.create({
    data: {
      actorId: entry.viewer?.userId ?? null,
      tokenId: entry.viewer?.tokenId ?? null,
      action: entry.action,
      outcome: entry.outcome,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      details: recordableArguments(entry.args) as Prisma.InputJsonValue,
    },
  });
}

export function recordableArguments(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => recordableArguments(item, key));
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, recordableArguments(v, k)]));
  }
  if (value === null || value === undefined) return null;
  if (key !== undefined && RECORDED_FLAGS.has(key) && typeof value === "boolean") return value;
  return key !== undefined && RECORDED_ARGUMENTS.has(key) ? value : "[redacted]";
}
