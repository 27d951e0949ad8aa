"use client";

import { NAME_HINT } from "@/lib/names";
import { TextField } from "./TextField";

/** The "Name" of a project, service or server: one rule (see lib/names), one hint, one field. */
export function ResourceNameField({
  error,
  autoFocus,
  defaultValue,
  hint,
}: {
  error?: string | null;
  autoFocus?: boolean;
  defaultValue?: string;
  /** Said after the naming rule. */
  hint?: string;
}) {
  return (
    <TextField
      label="Name"
      name="name"
      required
      autoFocus={autoFocus}
      autoComplete="off"
      spellCheck={false}
      maxLength={40}
      defaultValue={defaultValue}
      hint={hint ? `${NAME_HINT} ${hint}` : NAME_HINT}
      error={error}
    />
  );
}
