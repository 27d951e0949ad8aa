import type { SourceType } from "@slipway/sdk";
import { toGlobalId, toRawId } from "@/lib/global-ids";

export interface DeployChoices {
  sourceType: SourceType;
  repository: string;
  ref: string;
  image: string;
  /** Global server ids. */
  serverIds: string[];
}

export const EMPTY_CHOICES: DeployChoices = { sourceType: "ARCHIVE", repository: "", ref: "main", image: "", serverIds: [] };

/** What a saved deploy config holds (the API's DeploySettings: raw server ids, no secrets). */
export function toSettings(choices: DeployChoices): Record<string, unknown> {
  const source =
    choices.sourceType === "GIT"
      ? { type: "GIT", repository: choices.repository, ref: choices.ref }
      : choices.sourceType === "IMAGE"
        ? { type: "IMAGE", image: choices.image }
        : { type: "ARCHIVE" };
  return { source, serverIds: choices.serverIds.map(toRawId) };
}

export function fromSettings(settings: unknown): DeployChoices {
  const value = (settings ?? {}) as {
    source?: { type?: string; repository?: string; ref?: string; image?: string };
    serverIds?: string[];
  };
  const type = value.source?.type;
  return {
    sourceType: type === "GIT" || type === "IMAGE" ? type : "ARCHIVE",
    repository: value.source?.repository ?? "",
    ref: value.source?.ref ?? "main",
    image: value.source?.image ?? "",
    serverIds: (value.serverIds ?? []).map((id) => toGlobalId("Server", id)),
  };
}

export function checkChoices(choices: DeployChoices, file: File | null): Record<string, string> {
  const errors: Record<string, string> = {};
  if (choices.sourceType === "ARCHIVE" && !file) errors.archive = "Choose or drop an archive to deploy.";
  if (choices.sourceType === "GIT") {
    if (!choices.repository.trim()) errors.repository = "Enter the repository's URL.";
    if (!choices.ref.trim()) errors.ref = "Enter a branch, tag or commit.";
  }
  if (choices.sourceType === "IMAGE" && !choices.image.trim()) errors.image = "Enter an image, such as nginx:1.27.";
  return errors;
}
