import type { DeploySourceInput } from "../generated/graphql.js";
import { CliError, ExitCode } from "./exit-codes.js";

/** The options `deploy` and `config save` share to name what to deploy and where. */
export interface SourceOptions {
  image?: string;
  /** With --image: "always" pulls even when the server has the reference; "missing" (default) only when it lacks it. */
  pull?: string;
  git?: string;
  ref?: string;
  config?: string;
  server?: string[];
}

/** Collects a repeated option (`--server a --server b`). */
export const repeatable = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The one source the options name; an uploaded folder when none does. */
export function sourceOf(options: SourceOptions): DeploySourceInput {
  const chosen = [options.image, options.git, options.config].filter((value) => value !== undefined).length;
  if (chosen > 1) throw new CliError("Choose one source: --image, --git with --ref, or --config", ExitCode.Usage);
  if ((options.git === undefined) !== (options.ref === undefined)) throw new CliError("--git and --ref go together", ExitCode.Usage);
  if (options.pull !== undefined && options.image === undefined) throw new CliError("--pull goes with --image", ExitCode.Usage);
  if (options.pull !== undefined && options.pull !== "always" && options.pull !== "missing") {
    throw new CliError(`--pull is "always" or "missing", not "${options.pull}"`, ExitCode.Usage);
  }
  if (options.image !== undefined) return { type: "IMAGE", image: options.image, ...(options.pull === "always" ? { pullAlways: true } : {}) };
  if (options.git !== undefined) return { type: "GIT", repository: options.git, ref: options.ref };
  return { type: "ARCHIVE" };
}
