"use client";

import { useId } from "react";

export const EXPIRY_CHOICES = [
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: 0, label: "Never" },
] as const;

/** A select named "expiresInDays"; 0 means the token never expires. */
export function ExpirySelect() {
  const id = useId();
  return (
    <div className="field field--narrow">
      <label className="field__label" htmlFor={id}>
        Expires after
      </label>
      <select id={id} name="expiresInDays" className="field__input" defaultValue="90">
        {EXPIRY_CHOICES.map((choice) => (
          <option key={choice.days} value={choice.days}>
            {choice.label}
          </option>
        ))}
      </select>
    </div>
  );
}
