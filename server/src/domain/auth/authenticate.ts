import type { Deps } from "../deps.js";
import { DomainError } from "../errors.js";
import { parseScopes } from "./scopes.js";
import { hashToken } from "./tokens.js";
import type { Viewer } from "./viewer.js";

export class AuthenticationError extends DomainError {
  override name = "AuthenticationError";
  constructor() {
    super("The token is invalid, expired or revoked");
  }
}

// Recording every use would make each read a write; a minute's precision is plenty.
const LAST_USED_PRECISION_MS = 60_000;

/**
 * Resolves a presented bearer token to a Viewer. No token means an anonymous request (null);
 * a token that matches nothing usable is an error, never silently anonymous.
 */
export async function authenticate(deps: Deps, bearer: string | undefined): Promise<Viewer | null> {
  if (bearer === undefined || bearer === "") return null;
  const token = await deps.db.apiToken.findUnique({
    where: { tokenHash: hashToken(bearer) },
    include: { user: { select: { role: true, disabledAt: true } } },
  });
  const now = new Date();
  if (!token || token.revokedAt || token.user.disabledAt || (token.expiresAt && token.expiresAt <= now)) {
    throw new AuthenticationError();
  }
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
    await deps.db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
  }
  return {
    userId: token.userId,
    tokenId: token.id,
    tokenKind: token.kind,
    role: token.user.role,
    scopes: new Set(parseScopes(token.scopes)),
  };
}

/** Takes the token out of an `Authorization: Bearer ...` header value. */
export function bearerFromHeader(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AuthenticationError();
  return match[1];
}
