"use client";

import type { SourceType } from "@slipway/sdk";
import { ChoiceList } from "../ChoiceList";
import { Fieldset } from "../Fieldset";
import { TextField } from "../TextField";
import { ArchiveDrop } from "./ArchiveDrop";
import type { DeployChoices } from "./deploy-settings";

const SOURCES: { value: SourceType; label: string }[] = [
  { value: "ARCHIVE", label: "Upload an archive" },
  { value: "GIT", label: "Git repository" },
  { value: "IMAGE", label: "Container image" },
];

type TextChoice = "repository" | "ref" | "image";

export function SourcePicker({
  choices,
  onChange,
  file,
  onFile,
  errors,
}: {
  choices: DeployChoices;
  onChange: (patch: Partial<DeployChoices>) => void;
  file: File | null;
  onFile: (file: File | null) => void;
  errors: Record<string, string>;
}) {
  // The git and image fields differ only in which choice they edit and their words.
  const text = (key: TextChoice, label: string, words: { placeholder?: string; hint?: string }) => (
    <TextField
      label={label}
      name={key}
      value={choices[key]}
      onChange={(event) => onChange({ [key]: event.currentTarget.value })}
      spellCheck={false}
      autoComplete="off"
      error={errors[key]}
      {...words}
    />
  );
  return (
    <Fieldset legend="Source">
      <ChoiceList
        type="radio"
        name="sourceType"
        pills
        choices={SOURCES}
        isChecked={(type) => choices.sourceType === type}
        onToggle={(type) => onChange({ sourceType: type as SourceType })}
      />
      {choices.sourceType === "ARCHIVE" ? <ArchiveDrop file={file} onFile={onFile} error={errors.archive} /> : null}
      {choices.sourceType === "GIT" ? (
        <div className="form__grid">
          {text("repository", "Repository", { placeholder: "https://github.com/acme/shop.git" })}
          {text("ref", "Ref", { hint: "A branch, tag or commit." })}
        </div>
      ) : null}
      {choices.sourceType === "IMAGE" ? text("image", "Image", { placeholder: "registry.example.com/shop/web:1.4.2" }) : null}
    </Fieldset>
  );
}
