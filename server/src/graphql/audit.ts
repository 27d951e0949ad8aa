import type { GraphQLError, GraphQLFieldResolver } from "graphql";
import { recordAuditEntry } from "../domain/audit/record-audit-entry.js";
import type { GraphQLContext } from "./context.js";

/**
 * Wraps a mutation's resolver so that every call, allowed or refused, leaves an audit entry:
 * who, which mutation, the outcome, the target, and the arguments with secrets removed.
 */
export function auditMutation(
  resolve: GraphQLFieldResolver<unknown, GraphQLContext, Record<string, unknown>>,
  action: string,
): GraphQLFieldResolver<unknown, GraphQLContext, Record<string, unknown>> {
  return async (parent, args, ctx, info) => {
    let outcome = "ok";
    let result: unknown;
    try {
      result = await resolve(parent, args, ctx, info);
      if (result instanceof Error) outcome = result.name;
      return result;
    } catch (error) {
      outcome = String((error as GraphQLError).extensions?.code ?? "ERROR");
      throw error;
    } finally {
      await recordAuditEntry(ctx.deps, {
        viewer: ctx.viewer,
        action,
        args,
        outcome,
        targetType: targetTypeOf(action),
        targetId: targetIdOf(result, args),
      }).catch((error: unknown) => ctx.deps.log.error({ err: error, action }, "could not write the audit entry"));
    }
  };
}

/** `createProject` acts on a Project, `revokeApiToken` on an ApiToken: the noun after the verb. */
function targetTypeOf(action: string): string | null {
  const noun = action.replace(/^[a-z]+/, "");
  return noun === "" ? null : noun;
}

function targetIdOf(result: unknown, args: Record<string, unknown>): string | null {
  // Mutations return the record they touched, or a payload holding it.
  const record = (result as { apiToken?: unknown } | null)?.apiToken ?? result;
  if (record && typeof record === "object" && "id" in record && typeof record.id === "string") return record.id;
  return typeof args.id === "string" ? args.id : null;
}
