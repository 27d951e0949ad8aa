import type { CombinedError } from "urql";
import { describeRequestError, toFieldErrors, type Problem } from "./errors";

export type Member =
  | { __typename: string; data: unknown }
  | {
      __typename: string;
      message: string;
      fieldErrors?: readonly { path: readonly string[]; message: string }[];
    };

type SuccessData<R> = R extends { data: infer D } ? D : never;

export type Outcome<T> = { ok: true; data: T } | { ok: false; problem: Problem };

/**
 * Folds a urql mutation result whose field is a Pothos result union (success | errors) into one
 * outcome, so forms handle transport errors and domain errors the same way.
 */
export function toOutcome<R extends Member>(
  error: CombinedError | undefined,
  result: R | undefined,
): Outcome<SuccessData<R>> {
  if (error) return { ok: false, problem: { message: describeRequestError(error), fieldErrors: {} } };
  if (!result) {
    return { ok: false, problem: { message: "The server sent no answer. Try again.", fieldErrors: {} } };
  }
  if ("data" in result) return { ok: true, data: result.data as SuccessData<R> };
  const fieldErrors = toFieldErrors(result.fieldErrors);
  return { ok: false, problem: { message: result.message, fieldErrors } };
}
