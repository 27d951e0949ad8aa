"use client";

import { useEffect, useRef } from "react";
import type { Problem } from "@/lib/errors";

/** After a failed submit, moves focus to the first field marked invalid. */
export function useFocusFirstInvalid(problem: Problem | null) {
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!problem || Object.keys(problem.fieldErrors).length === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [problem]);
  return formRef;
}
