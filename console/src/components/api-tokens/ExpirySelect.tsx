"use client";

import { SelectField } from "../SelectField";

export const EXPIRY_CHOICES = [
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: 0, label: "Never" },
] as const;

/** A select named "expiresInDays"; 0 means the token never expires. */
export function ExpirySelect() {
  return (
    <SelectField
      label="Expires after"
      name="expiresInDays"
      className="field--narrow"
      defaultValue="90"
      options={EXPIRY_CHOICES.map((choice) => ({ value: String(choice.days), label: choice.label }))}
    />
  );
}
