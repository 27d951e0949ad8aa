"use client";

import { useId, type ReactNode } from "react";
import { FieldNotes } from "./Field";

/** A group of controls (checkboxes, radios, fields) under one legend, with its error and hint. */
export function Fieldset({
  legend,
  error,
  hint,
  children,
}: {
  legend: string;
  error?: string | null;
  hint?: ReactNode;
  children: ReactNode;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <fieldset className="field fieldset" aria-describedby={describedBy}>
      <legend className="field__label">{legend}</legend>
      <FieldNotes errorId={`${id}-error`} error={error} />
      {children}
      <FieldNotes hintId={`${id}-hint`} hint={hint} />
    </fieldset>
  );
}
