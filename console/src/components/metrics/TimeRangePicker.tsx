"use client";

import { TIME_RANGES } from "@/lib/metrics-charts";
import { ChoiceList } from "../ChoiceList";

/** Last 15 minutes … 7 days, as a row of pills inside a labelled group. */
export function TimeRangePicker({ value, onChange, name }: { value: string; onChange: (id: string) => void; name: string }) {
  return (
    <fieldset className="range-picker">
      <legend className="range-picker__legend">Time range</legend>
      <ChoiceList
        type="radio"
        name={name}
        pills
        choices={TIME_RANGES.map((r) => ({ value: r.id, label: r.label }))}
        isChecked={(id) => id === value}
        onToggle={(id, checked) => checked && onChange(id)}
      />
    </fieldset>
  );
}
