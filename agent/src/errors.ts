// Failures the agent reports on purpose: a closed set of codes with an HTTP status each.
export type FailureCode =
  | "unauthorized"
  | "invalid_request"
  | "not_found"
  | "method_not_allowed"
  | "payload_too_large"
  | "docker_error"
  | "build_failed"
  | "pull_failed"
  | "load_failed"
  | "nginx_error"
  | "refused"
  | "internal";

const STATUS: Record<FailureCode, number> = {
  unauthorized: 401,
  invalid_request: 400,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  docker_error: 502,
  build_failed: 422,
  pull_failed: 502,
  load_failed: 422,
  nginx_error: 500,
  refused: 409,
  internal: 500,
};

export class AgentFailure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
    this.name = "AgentFailure";
  }

  get status(): number {
    return STATUS[this.code];
  }
}

/** The message of anything thrown (an EngineError carries Docker's own). */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
