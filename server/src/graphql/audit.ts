import { errorTypeMap } from "@pothos/plugin-errors";
import { Kind, parse, type DocumentNode, type GraphQLError, type GraphQLFieldResolver, type OperationDefinitionNode } from "graphql";
import type { Plugin as YogaPlugin } from "graphql-yoga";
import { recordAuditEntry } from "../domain/audit/record-audit-entry.js";
import type { Deps } from "../domain/deps.js";
import { errorCode } from "../domain/errors.js";
import type { GraphQLContext } from "./context.js";

/**
 * Wraps a mutation's resolver so that every call, allowed or refused, leaves an audit entry:
 * who, which mutation, the outcome, the target, and the arguments with secrets removed. The
 * outcome is "ok" only for a success: a typed error (a union member such as ValidationError)
 * records its code, like a thrown one.
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
      if (isErrorResult(result)) outcome = errorCode(result as Error);
      return result;
    } catch (error) {
      outcome = outcomeOfThrown(error);
      throw error;
    } finally {
      ctx.audit.recorded = true;
      await recordAuditEntry(ctx.deps, {
        viewer: ctx.viewer,
        action,
        args,
        outcome,
        targetType: targetTypeOf(action),
        targetId: outcome === "ok" ? targetIdOf(result, args) : typeof args.id === "string" ? args.id : null,
      }).catch((error: unknown) => ctx.deps.log.error({ err: error, action }, "could not write the audit entry"));
    }
  };
}

// The errors plugin hands typed errors on as proxies it keeps in errorTypeMap.
function isErrorResult(result: unknown): boolean {
  return typeof result === "object" && result !== null && (result instanceof Error || errorTypeMap.has(result as object));
}

function outcomeOfThrown(error: unknown): string {
  const code = (error as GraphQLError).extensions?.code;
  if (typeof code === "string") return code;
  const original = (error as GraphQLError).originalError;
  if (original instanceof Error && original.name !== "Error") return errorCode(original);
  return "ERROR";
}

/** `createProject` acts on a Project, `revokeApiToken` on an ApiToken: the noun after the verb. */
function targetTypeOf(action: string): string | null {
  const noun = action.replace(/^[a-z]+/, "");
  return noun === "" ? null : noun;
}

function targetIdOf(result: unknown, args: Record<string, unknown>): string | null {
  // Mutations return the record they touched, or a payload holding it.
  const payload = result as { apiToken?: unknown; user?: unknown; deployment?: unknown } | null;
  const record = payload?.apiToken ?? payload?.deployment ?? payload?.user ?? result;
  if (record && typeof record === "object" && "id" in record && typeof record.id === "string") return record.id;
  return typeof args.id === "string" ? args.id : null;
}

/**
 * Mutations refused before any resolver ran — at authentication (a bad token), at validation, at
 * the document limits — leave an entry too, one per mutation field the document asked for, with
 * the refusal's code as the outcome. Requests over HTTP; every mutation goes that way.
 */
export function useAuditOfRefusedMutations(deps: Deps): YogaPlugin<GraphQLContext> {
  const pending = new WeakMap<Request, { fields: string[]; context?: GraphQLContext }>();
  return {
    onParams({ request, params }) {
      const fields = mutationFieldsOf(params.query, params.operationName);
      if (fields.length > 0) pending.set(request, { fields });
    },
    onExecute({ args }) {
      const context = args.contextValue as GraphQLContext & { request?: Request };
      const state = context.request ? pending.get(context.request) : undefined;
      if (state) state.context = context;
    },
    onResultProcess({ request, result }) {
      const state = pending.get(request);
      pending.delete(request);
      if (!state || state.context?.audit.recorded) return;
      const errors = (Array.isArray(result) ? [] : ((result as { errors?: readonly GraphQLError[] }).errors ?? [])) as readonly GraphQLError[];
      const code = errors.map((e) => e.extensions?.code).find((c): c is string => typeof c === "string") ?? (errors.length > 0 ? "GRAPHQL_VALIDATION_FAILED" : "REFUSED");
      const viewer = state.context?.viewer ?? null;
      return Promise.all(
        state.fields.map((action) =>
          recordAuditEntry(deps, { viewer, action, args: {}, outcome: code, targetType: targetTypeOf(action) }).catch((error: unknown) =>
            deps.log.error({ err: error, action }, "could not write the audit entry"),
          ),
        ),
      ).then(() => undefined);
    },
  };
}

// Read only to name what was asked for; a document too large to read is named as such.
const MAX_AUDIT_PARSE_TOKENS = 20_000;

function mutationFieldsOf(query: string | undefined, operationName: string | null | undefined): string[] {
  if (!query || !/\bmutation\b/.test(query)) return [];
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: MAX_AUDIT_PARSE_TOKENS, noLocation: true });
  } catch {
    return ["(unreadable mutation document)"];
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation || operation.operation !== "mutation") return [];
  const names = operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD).map((s) => (s.kind === Kind.FIELD ? s.name.value : ""));
  return [...new Set(names)].slice(0, 50);
}
