// Domain errors: thrown by domain modules, exposed by the GraphQL layer as typed union members.

export class DomainError extends Error {
  override name = "DomainError";
}

export interface FieldError {
  path: string[];
  message: string;
}

export class ValidationError extends DomainError {
  override name = "ValidationError";
  constructor(
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  override name = "NotFoundError";
  constructor(what: string) {
    super(`${what} was not found`);
  }
}

export class ConflictError extends DomainError {
  override name = "ConflictError";
}

export class InvalidCredentialsError extends DomainError {
  override name = "InvalidCredentialsError";
  constructor(message = "The email or password is wrong") {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  override name = "ForbiddenError";
}

/** Sign-in throttling (login-guard.ts) or a full password-hashing queue: try again later. */
export class RateLimitedError extends DomainError {
  override name = "RateLimitedError";
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many attempts: try again in ${retryAfterSeconds} s`);
  }
}

/** The code an error is known by in the API and the audit log: ValidationError -> VALIDATION. */
export function errorCode(error: { name: string }): string {
  return error.name.replace(/Error$/, "").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase() || "BAD_REQUEST";
}
