"use client";

import type { TextareaHTMLAttributes } from "react";
import { Field } from "./Field";

type Props = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id"> & {
  label: string;
  hint?: string;
  error?: string | null;
};

export function TextAreaField({ label, hint, error, ...textarea }: Props) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(control) => <textarea className="field__input field__input--multiline" {...control} {...textarea} />}
    </Field>
  );
}
