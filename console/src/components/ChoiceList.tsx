"use client";

import type { ReactNode } from "react";

export interface Choice {
  value: string;
  label: ReactNode;
  description?: ReactNode;
}

/**
 * Checkboxes or radio buttons sharing a name, as a list ("checks") or a row of pills. Controlled
 * when `isChecked` is given; otherwise the surrounding form reads them.
 */
export function ChoiceList({
  type,
  name,
  choices,
  isChecked,
  onToggle,
  pills = false,
}: {
  type: "checkbox" | "radio";
  name: string;
  choices: readonly Choice[];
  isChecked?: (value: string) => boolean;
  onToggle?: (value: string, checked: boolean) => void;
  pills?: boolean;
}) {
  return (
    <div className={pills ? "segmented" : "checks"}>
      {choices.map((choice) => (
        <label key={choice.value} className={pills ? "segmented__option" : "check"}>
          <input
            type={type}
            name={name}
            value={choice.value}
            checked={isChecked?.(choice.value)}
            onChange={onToggle ? (event) => onToggle(choice.value, event.currentTarget.checked) : undefined}
          />
          <span className="check__text">
            {choice.label}
            {choice.description ? <span className="check__description">{choice.description}</span> : null}
          </span>
        </label>
      ))}
    </div>
  );
}
