import { z } from "zod";
import type { User } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { InvalidCredentialsError } from "../errors.js";
import { email, parseInput } from "../validation.js";
import { DECOY_PASSWORD_HASH, verifyPassword } from "./passwords.js";
import { scopesForRole } from "./scopes.js";
import { issueToken } from "./tokens.js";
import type { Viewer } from "./viewer.js";

const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;

export interface SessionPayload {
  token: string;
  user: User;
}

const LoginInput = z.object({ email, password: z.string().min(1).max(1024) });

export async function login(deps: Deps, input: unknown): Promise<SessionPayload> {
  const { email, password } = parseInput(LoginInput, input);
  const user = await deps.db.user.findUnique({ where: { email } });
  const matches = await verifyPassword(password, user?.passwordHash ?? DECOY_PASSWORD_HASH);
  if (!user || !matches || user.disabledAt) throw new InvalidCredentialsError();
  return startSession(deps, user);
}

/** Issues a session token carrying the scopes of the user's role. */
export async function startSession(deps: Deps, user: User): Promise<SessionPayload> {
  const issued = issueToken("SESSION");
  await deps.db.apiToken.create({
    data: {
      userId: user.id,
      kind: "SESSION",
      name: "Console session",
      prefix: issued.displayPrefix,
      tokenHash: issued.hash,
      scopes: scopesForRole(user.role).join(" "),
      expiresAt: new Date(Date.now() + SESSION_LIFETIME_MS),
    },
  });
  return { token: issued.token, user };
}

/** The signed-in user, or null for an anonymous request. */
export async function findViewerUser<Q extends object>(deps: Deps, viewer: Viewer | null, query?: Q): Promise<User | null> {
  return viewer ? deps.db.user.findUnique({ ...query, where: { id: viewer.userId } }) : null;
}

/** Ends the session (or revokes the API token) the request was made with. */
export async function logout(deps: Deps, viewer: Viewer): Promise<boolean> {
  await deps.db.apiToken.update({ where: { id: viewer.tokenId }, data: { revokedAt: new Date() } });
  return true;
}
