import { CliError, ExitCode } from "./exit-codes.js";

interface ErrorResult {
  __typename: string;
  message?: string;
  fieldErrors?: readonly { path: readonly string[]; message: string }[];
}

const EXIT_CODES: Record<string, ExitCode> = {
  ValidationError: ExitCode.Usage,
  NotFoundError: ExitCode.Usage,
  ConflictError: ExitCode.Failed,
  InvalidCredentialsError: ExitCode.Auth,
  ForbiddenError: ExitCode.Auth,
};

/** A mutation result's data, or the domain error it returned as a CliError with its exit code. */
export function unwrap<R extends { __typename: string }>(result: R): Extract<R, { data: unknown }>["data"] {
  if ("data" in result) return (result as Extract<R, { data: unknown }>).data;
  throw new CliError(describeError(result as ErrorResult), EXIT_CODES[result.__typename] ?? ExitCode.Failed);
}

export function describeError(result: ErrorResult): string {
  const fields = (result.fieldErrors ?? []).map((f) => `${f.path.join(".")}: ${f.message}`);
  return [result.message ?? result.__typename, ...fields].join("\n  ");
}
