import { z } from "zod";
import type { ApiToken, Prisma, User } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { InvalidCredentialsError, NotFoundError } from "../errors.js";
import { email, parseInput } from "../validation.js";
import { revokeWithDescendants } from "./api-tokens.js";
import { DECOY_PASSWORD_HASH, verifyPassword } from "./passwords.js";
import { ALL_SCOPES } from "./scopes.js";
import { issueToken } from "./tokens.js";
import { isAdmin, type Viewer } from "./viewer.js";

const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;

export interface SessionPayload {
  token: string;
  user: User;
}

/** Who is calling, as far as the transport can tell. */
export interface ClientInfo {
  address?: string;
  userAgent?: string;
}

const LoginInput = z.object({ email, password: z.string().min(1).max(1024) });

/**
 * Trades an email and password for a session. Failures count against the account and the client
 * address (login-guard.ts); while either must wait, no password is even checked.
 */
export async function login(deps: Deps, input: unknown, client: ClientInfo = {}): Promise<SessionPayload> {
  const { email, password } = parseInput(LoginInput, input);
  await deps.loginGuard.check(email, client.address);
  const user = await deps.db.user.findUnique({ where: { email } });
  const matches = await deps.passwordHashing.run(() => verifyPassword(password, user?.passwordHash ?? DECOY_PASSWORD_HASH));
  if (!user || !matches || user.disabledAt) {
    await deps.loginGuard.recordFailure(email, client.address);
    throw new InvalidCredentialsError();
  }
  await deps.loginGuard.recordSuccess(email);
  return startSession(deps, user, client);
}

/**
 * Issues a session token. A session carries every scope; what it may do is its user's role, read
 * again at every request (authenticate.ts), so a role change applies to open sessions at once.
 */
export async function startSession(deps: Deps, user: User, client: ClientInfo = {}): Promise<SessionPayload> {
  const issued = issueToken("SESSION");
  await deps.db.apiToken.create({
    data: {
      userId: user.id,
      kind: "SESSION",
      name: "Session",
      prefix: issued.displayPrefix,
      tokenHash: issued.hash,
      scopes: ALL_SCOPES.join(" "),
      userAgent: client.userAgent?.slice(0, 300) ?? null,
      expiresAt: new Date(deps.clock.now().getTime() + SESSION_LIFETIME_MS),
    },
  });
  return { token: issued.token, user };
}

/** The signed-in user, or null for an anonymous request. */
export async function findViewerUser<Q extends object>(deps: Deps, viewer: Viewer | null, query?: Q): Promise<User | null> {
  return viewer ? deps.db.user.findUnique({ ...query, where: { id: viewer.userId } }) : null;
}

/** Ends the session (or revokes the API token) the request was made with, and any token made from it. */
export async function logout(deps: Deps, viewer: Viewer): Promise<boolean> {
  await revokeWithDescendants(deps, [viewer.tokenId]);
  return true;
}

/** Open sessions (not revoked, not expired): the viewer's own; everyone's for an admin who asks. */
function sessionsVisibleTo(deps: Deps, viewer: Viewer, everyone: boolean): Prisma.ApiTokenWhereInput {
  return {
    kind: "SESSION",
    revokedAt: null,
    OR: [{ expiresAt: null }, { expiresAt: { gt: deps.clock.now() } }],
    ...(everyone && isAdmin(viewer) ? {} : { userId: viewer.userId }),
  };
}

export async function listSessions<Q extends object>(deps: Deps, viewer: Viewer, options: { everyone?: boolean } = {}, query?: Q): Promise<ApiToken[]> {
  return deps.db.apiToken.findMany({
    ...query,
    where: sessionsVisibleTo(deps, viewer, options.everyone ?? false),
    orderBy: [{ lastUsedAt: { sort: "desc", nulls: "last" } }, { createdAt: "desc" }],
    take: 500,
  });
}

/** Ends one session: the viewer's own, or anyone's for an admin. */
export async function revokeSession(deps: Deps, viewer: Viewer, sessionId: string): Promise<ApiToken> {
  const session = await deps.db.apiToken.findFirst({ where: { id: sessionId, ...sessionsVisibleTo(deps, viewer, true) } });
  if (!session) throw new NotFoundError("Session");
  await revokeWithDescendants(deps, [session.id]);
  return deps.db.apiToken.findUniqueOrThrow({ where: { id: session.id } });
}

/** Ends every open session of a user but one (changePassword keeps the one it was made with). */
export async function endSessionsOf(deps: Deps, userId: string, exceptTokenId?: string): Promise<number> {
  const open = await deps.db.apiToken.findMany({
    where: { userId, kind: "SESSION", revokedAt: null, ...(exceptTokenId ? { id: { not: exceptTokenId } } : {}) },
    select: { id: true },
  });
  return revokeWithDescendants(deps, open.map((s) => s.id));
}
