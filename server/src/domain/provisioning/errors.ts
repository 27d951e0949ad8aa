import { DomainError } from "../errors.js";

/** Refused: the droplet does not carry the managed tag, and the caller did not force it. */
export class UnmanagedServerError extends DomainError {
  override name = "UnmanagedServerError";
}

/** DigitalOcean refused or could not be reached; the message says what it answered (never the token). */
export class ProviderError extends DomainError {
  override name = "ProviderError";
}
