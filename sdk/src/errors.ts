/** The server answered with GraphQL errors (not signed in, missing scope, invalid document...). */
export class SlipwayGraphQLError extends Error {
  override name = "SlipwayGraphQLError";
  /** The first error's `extensions.code`, e.g. UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT. */
  readonly code: string | undefined;

  constructor(readonly errors: readonly { message: string; extensions?: Record<string, unknown> }[], readonly status?: number) {
    super(errors.map((e) => e.message).join("; ") || "The server answered with an error");
    this.code = typeof errors[0]?.extensions?.code === "string" ? errors[0].extensions.code : undefined;
  }
}

/** The server could not be reached or answered something that is not GraphQL. */
export class SlipwayTransportError extends Error {
  override name = "SlipwayTransportError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
