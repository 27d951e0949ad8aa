"use client";

import { useCallback, useState } from "react";
import { useMutation, type AnyVariables, type TypedDocumentNode } from "urql";
import { toOutcome, type Member } from "@/lib/mutation-result";

/**
 * A one-button mutation (revoke, verify, delete, roll back, upgrade): runs it, keeps the API's
 * refusal as a message to show beside the button, and resolves to the success data or null.
 */
export function useAction<D, V extends AnyVariables, R extends Member>(
  document: TypedDocumentNode<D, V>,
  pick: (data: D) => R | undefined,
) {
  const [{ fetching }, execute] = useMutation<D, V>(document);
  const [message, setMessage] = useState<string | null>(null);
  const run = useCallback(
    async (variables: V) => {
      setMessage(null);
      const result = await execute(variables);
      const outcome = toOutcome(result.error, result.data ? pick(result.data) : undefined);
      if (outcome.ok) return outcome.data;
      setMessage(outcome.problem.message);
      return null;
    },
    [execute, pick],
  );
  return { fetching, message, run };
}
