import { SlipwayGraphQLError, SlipwayTransportError } from "../errors.js";

/** What `slipway` exits with; scripts and CI branch on these. */
export const ExitCode = {
  Ok: 0,
  /** The deploy or rollback ran and failed (or could not start because another one is running). */
  Failed: 1,
  /** A wrong command line, or input the server refused as invalid or unknown. */
  Usage: 2,
  /** Not logged in, a rejected token or password, or a missing scope. */
  Auth: 3,
  /** The server could not be reached or did not answer GraphQL. */
  Transport: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the person at the terminal: its message is printed as is. */
export class CliError extends Error {
  override name = "CliError";
  constructor(message: string, readonly exitCode: ExitCode) {
    super(message);
  }
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof SlipwayTransportError) return ExitCode.Transport;
  if (error instanceof SlipwayGraphQLError) {
    if (error.code === "UNAUTHENTICATED" || error.code === "FORBIDDEN") return ExitCode.Auth;
    if (error.code === "BAD_USER_INPUT" || error.code === "GRAPHQL_VALIDATION_FAILED" || error.code === "PAYLOAD_TOO_LARGE") return ExitCode.Usage;
  }
  return ExitCode.Failed;
}

const EXIT_CODE_NAMES: Record<ExitCode, string> = { 0: "OK", 1: "FAILED", 2: "USAGE", 3: "AUTH", 4: "UNREACHABLE" };

/** The one line `--json` prints on failure: `{"type":"error","message":...,"exitCode":2,...}`. */
export function errorJson(error: unknown, exitCode: ExitCode = exitCodeFor(error)): string {
  const code = error instanceof SlipwayGraphQLError ? error.code : undefined;
  return JSON.stringify({
    type: "error",
    message: error instanceof Error ? error.message : String(error),
    exitCode,
    reason: EXIT_CODE_NAMES[exitCode],
    ...(code ? { code } : {}),
  });
}
