import type { Deps } from "../deps.js";
import { DomainError } from "../errors.js";
import { effectiveScopes } from "./scopes.js";
import { hashToken } from "./tokens.js";
import type { Viewer } from "./viewer.js";

export class AuthenticationError extends DomainError {
  override name = "AuthenticationError";
  constructor(message = "The token is invalid, expired or revoked") {
    super(message);
  }
}

// Recording every use would make each read a write; a minute's precision is plenty.
const LAST_USED_PRECISION_MS = 60_000;

interface TokenState {
  revokedAt: Date | null;
  expiresAt: Date | null;
}

function usable(token: TokenState, now: Date): boolean {
  return !token.revokedAt && !(token.expiresAt && token.expiresAt <= now);
}

/**
 * Resolves a presented bearer token to a Viewer. No token means an anonymous request (null);
 * a token that matches nothing usable is an error, never silently anonymous. Checked on every
 * request (and on every event of an open subscription): a revoked parent, a disabled user or a
 * lowered role takes effect at once.
 */
export async function authenticate(deps: Deps, bearer: string | undefined): Promise<Viewer | null> {
  if (bearer === undefined || bearer === "") return null;
  const token = await deps.db.apiToken.findUnique({
    where: { tokenHash: hashToken(bearer) },
    include: { user: { select: { role: true, disabledAt: true } }, parent: { select: { revokedAt: true, expiresAt: true } } },
  });
  const now = deps.clock.now();
  if (!token || !usable(token, now) || (token.parent && !usable(token.parent, now)) || token.user.disabledAt) {
    throw new AuthenticationError();
  }
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
    await deps.db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
  }
  return {
    userId: token.userId,
    tokenId: token.id,
    tokenKind: token.kind,
    tokenExpiresAt: token.expiresAt,
    role: token.user.role,
    scopes: effectiveScopes(token.scopes, token.user.role),
    bearer,
  };
}

/** Whether the viewer's token still stands as it did (open subscriptions re-check this). */
export async function stillAuthenticated(deps: Deps, viewer: Viewer): Promise<Viewer | null> {
  try {
    return await authenticate(deps, viewer.bearer);
  } catch (error) {
    if (error instanceof AuthenticationError) return null;
    throw error;
  }
}

/** Takes the token out of an `Authorization: Bearer ...` header value; any other scheme is refused. */
export function bearerFromHeader(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AuthenticationError("Send the token as Authorization: Bearer <token>; no other scheme is accepted");
  return match[1];
}
