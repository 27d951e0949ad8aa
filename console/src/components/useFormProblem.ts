"use client";

import { useCallback, useState } from "react";
import { pointAtFields, type FieldErrors, type Problem } from "@/lib/errors";
import type { Outcome } from "@/lib/mutation-result";
import { useFocusFirstInvalid } from "./useFocusFirstInvalid";

/**
 * A form's error state: field errors found before sending, or the API's answer, with focus moved
 * to the first invalid field.
 */
export function useFormProblem(fields: readonly string[]) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const formRef = useFocusFirstInvalid(problem);

  /** False (and the fields marked) when there are errors found before sending. */
  const check = useCallback((fieldErrors: FieldErrors): boolean => {
    const count = Object.keys(fieldErrors).length;
    if (count === 0) {
      setProblem(null);
      return true;
    }
    setProblem({ message: count === 1 ? "Fix the highlighted field." : "Fix the highlighted fields.", fieldErrors });
    return false;
  }, []);

  /** The data when the API said yes; otherwise the problem is shown and null returned. */
  const settle = useCallback(
    <T,>(outcome: Outcome<T>): T | null => {
      if (outcome.ok) return outcome.data;
      setProblem(pointAtFields(outcome.problem, fields));
      return null;
    },
    [fields],
  );

  return { problem, setProblem, formRef, check, settle, errors: problem?.fieldErrors ?? {} };
}
