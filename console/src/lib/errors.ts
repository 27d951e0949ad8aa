import type { CombinedError } from "urql";
import { resolveApiUrl } from "./api-url";

export type FieldErrors = Record<string, string>;

/** A failed mutation or query, in words a person can act on. */
export interface Problem {
  message: string;
  fieldErrors: FieldErrors;
}

export const UNAUTHENTICATED = "UNAUTHENTICATED";

export function isUnauthenticated(error: CombinedError | undefined): boolean {
  return error?.graphQLErrors.some((e) => e.extensions?.code === UNAUTHENTICATED) ?? false;
}

export function describeRequestError(error: CombinedError): string {
  if (error.networkError) {
    return `Can't reach the Slipway API at ${resolveApiUrl()}. Check that the server is running and reachable from this browser, then try again.`;
  }
  const first = error.graphQLErrors[0];
  if (!first) return "Something went wrong. Try again.";
  switch (first.extensions?.code) {
    case UNAUTHENTICATED:
      return "Your session has ended. Sign in again.";
    case "FORBIDDEN":
      return "You don't have permission to do that.";
    case "INTERNAL_SERVER_ERROR":
      return "The server hit an unexpected error. Try again, and check the server log if it keeps happening.";
    default:
      return typeof first.message === "string" && first.message
        ? first.message
        : "Something went wrong. Try again.";
  }
}

interface FieldErrorLike {
  path: readonly string[];
  message: string;
}

/** Keys field errors by the input field they name, e.g. ["input", "name"] → "name". */
export function toFieldErrors(list: readonly FieldErrorLike[] | undefined): FieldErrors {
  const out: FieldErrors = {};
  for (const { path, message } of list ?? []) {
    const key = path.at(-1) ?? "";
    // Server messages are often fragments ("must be at least 12 characters").
    out[key] ??= message.charAt(0).toUpperCase() + message.slice(1);
  }
  return out;
}

/**
 * When every field error belongs to a field the form shows, the form-level message only needs to
 * point at them; otherwise the server's own message is kept, as it names what the form can't show.
 */
export function pointAtFields(problem: Problem, shownFields: readonly string[]): Problem {
  const keys = Object.keys(problem.fieldErrors);
  if (keys.length === 0 || !keys.every((key) => shownFields.includes(key))) return problem;
  const message = keys.length === 1 ? "Fix the highlighted field." : "Fix the highlighted fields.";
  return { ...problem, message };
}
