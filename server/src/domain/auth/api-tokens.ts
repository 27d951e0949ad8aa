import { z } from "zod";
import type { ApiToken, Prisma } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors.js";
import { parseInput } from "../validation.js";
import { ALL_SCOPES, scopesForRole, type Scope } from "./scopes.js";
import { issueToken } from "./tokens.js";
import { isAdmin, type Viewer } from "./viewer.js";

const DAY_MS = 86_400_000;

const CreateApiTokenInput = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(ALL_SCOPES as [Scope, ...Scope[]])).min(1).max(ALL_SCOPES.length),
  expiresInDays: z.number().int().min(1).max(3650).nullish(),
});

export interface CreatedApiToken {
  /** The secret itself: returned once, here, and never again. */
  token: string;
  apiToken: ApiToken;
}

/**
 * Who may make tokens, and what they get:
 * - with a session (a signed-in person): a token of their own, with scopes their role allows;
 * - with an API token holding `tokens:write`: a child of that token, never with more scopes than
 *   it has, never expiring later, and unusable once it is revoked or expired;
 * - with any other token: nothing.
 */
export async function createApiToken(deps: Deps, viewer: Viewer, input: unknown): Promise<CreatedApiToken> {
  requireTokenAuthority(viewer);
  const parsed = parseInput(CreateApiTokenInput, input);
  const grantable = viewer.tokenKind === "SESSION" ? new Set(scopesForRole(viewer.role)) : viewer.scopes;
  const beyondOwn = parsed.scopes.filter((scope) => !grantable.has(scope));
  if (beyondOwn.length > 0) {
    throw new ValidationError(`A token cannot have scopes you do not have: ${beyondOwn.join(", ")}`, [
      { path: ["scopes"], message: `not yours to grant: ${beyondOwn.join(", ")}` },
    ]);
  }
  const requested = parsed.expiresInDays ? new Date(deps.clock.now().getTime() + parsed.expiresInDays * DAY_MS) : null;
  const child = viewer.tokenKind === "API";
  const expiresAt = child ? earliest(requested, viewer.tokenExpiresAt) : requested;
  const issued = issueToken("API");
  const apiToken = await deps.db.apiToken.create({
    data: {
      userId: viewer.userId,
      kind: "API",
      name: parsed.name,
      prefix: issued.displayPrefix,
      tokenHash: issued.hash,
      scopes: [...new Set(parsed.scopes)].join(" "),
      parentId: child ? viewer.tokenId : null,
      expiresAt,
    },
  });
  return { token: issued.token, apiToken };
}

/** API tokens the viewer can see: their own, or everyone's for an admin. */
function apiTokensVisibleTo(viewer: Viewer): Prisma.ApiTokenWhereInput {
  return { kind: "API", ...(isAdmin(viewer) ? {} : { userId: viewer.userId }) };
}

/** Newest first; `query` carries the selection GraphQL asked for. */
export async function listApiTokens<Q extends object>(deps: Deps, viewer: Viewer, query?: Q): Promise<ApiToken[]> {
  return deps.db.apiToken.findMany({ ...query, where: apiTokensVisibleTo(viewer), orderBy: { createdAt: "desc" } });
}

/**
 * Revokes a token and every token made from it. A session revokes its user's tokens (an admin's,
 * anyone's); an API token needs `tokens:write` and reaches only itself and the tokens made from it
 * (with `admin` too, anyone's): a `read` token can never revoke its user's admin token.
 */
export async function revokeApiToken(deps: Deps, viewer: Viewer, tokenId: string): Promise<ApiToken> {
  requireTokenAuthority(viewer);
  const token = await deps.db.apiToken.findFirst({ where: { id: tokenId, ...apiTokensVisibleTo(viewer) } });
  if (!token) throw new NotFoundError("API token");
  if (viewer.tokenKind === "API" && !isAdmin(viewer) && !(await descendsFrom(deps, token, viewer.tokenId))) {
    throw new ForbiddenError("An API token can revoke only itself and the tokens made from it; sign in to revoke others");
  }
  await revokeWithDescendants(deps, [token.id]);
  return deps.db.apiToken.findUniqueOrThrow({ where: { id: token.id } });
}

/** Marks the tokens and all their descendants revoked (children never outlive their parent). */
export async function revokeWithDescendants(deps: Deps, ids: string[], where: Prisma.ApiTokenWhereInput = {}): Promise<number> {
  const now = deps.clock.now();
  let revoked = 0;
  let level = ids;
  for (let depth = 0; level.length > 0 && depth < 100; depth++) {
    const result = await deps.db.apiToken.updateMany({ where: { id: { in: level }, revokedAt: null, ...(depth === 0 ? where : {}) }, data: { revokedAt: now } });
    revoked += result.count;
    level = (await deps.db.apiToken.findMany({ where: { parentId: { in: level } }, select: { id: true } })).map((t) => t.id);
  }
  return revoked;
}

function requireTokenAuthority(viewer: Viewer): void {
  if (viewer.tokenKind === "SESSION" || viewer.scopes.has("tokens:write")) return;
  throw new ForbiddenError('Creating or revoking API tokens needs a signed-in session or a token with the "tokens:write" scope');
}

async function descendsFrom(deps: Deps, token: Pick<ApiToken, "id" | "parentId">, ancestorId: string): Promise<boolean> {
  let current: Pick<ApiToken, "id" | "parentId"> | null = token;
  for (let depth = 0; current && depth < 100; depth++) {
    if (current.id === ancestorId) return true;
    if (!current.parentId) return false;
    current = await deps.db.apiToken.findUnique({ where: { id: current.parentId }, select: { id: true, parentId: true } });
  }
  return false;
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}
