"use client";

import { useId } from "react";
import { CopyButton } from "./CopyButton";

/** A read-only value to copy (a new token, a public key): selected on focus, with a copy button. */
export function CopyableValue({ label, value, copyLabel }: { label: string; value: string; copyLabel: string }) {
  const id = useId();
  return (
    <div className="secret">
      <label className="visually-hidden" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="field__input secret__value"
        readOnly
        value={value}
        spellCheck={false}
        onFocus={(event) => event.currentTarget.select()}
      />
      <CopyButton text={value} label={copyLabel} />
    </div>
  );
}
