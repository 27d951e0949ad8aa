import { z } from "zod";
import type { ApiToken } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { parseInput } from "../validation.js";
import { ALL_SCOPES, type Scope } from "./scopes.js";
import { issueToken } from "./tokens.js";
import type { Viewer } from "./viewer.js";

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

export async function createApiToken(deps: Deps, viewer: Viewer, input: unknown): Promise<CreatedApiToken> {
  const parsed = parseInput(CreateApiTokenInput, input);
  const beyondOwn = parsed.scopes.filter((scope) => !viewer.scopes.has(scope));
  if (beyondOwn.length > 0) {
    throw new ValidationError(`A token cannot have scopes you do not have: ${beyondOwn.join(", ")}`, [
      { path: ["scopes"], message: `not yours to grant: ${beyondOwn.join(", ")}` },
    ]);
  }
  const issued = issueToken("API");
  const apiToken = await deps.db.apiToken.create({
    data: {
      userId: viewer.userId,
      kind: "API",
      name: parsed.name,
      prefix: issued.displayPrefix,
      tokenHash: issued.hash,
      scopes: [...new Set(parsed.scopes)].join(" "),
      expiresAt: parsed.expiresInDays ? new Date(Date.now() + parsed.expiresInDays * 86_400_000) : null,
    },
  });
  return { token: issued.token, apiToken };
}

/** API tokens the viewer can see: their own, or everyone's for an admin. */
function apiTokensVisibleTo(viewer: Viewer) {
  return { kind: "API" as const, ...(viewer.scopes.has("admin") ? {} : { userId: viewer.userId }) };
}

/** Newest first; `query` carries the selection GraphQL asked for. */
export async function listApiTokens<Q extends object>(deps: Deps, viewer: Viewer, query?: Q): Promise<ApiToken[]> {
  return deps.db.apiToken.findMany({ ...query, where: apiTokensVisibleTo(viewer), orderBy: { createdAt: "desc" } });
}

export async function revokeApiToken(deps: Deps, viewer: Viewer, tokenId: string): Promise<ApiToken> {
  const token = await deps.db.apiToken.findFirst({ where: { id: tokenId, ...apiTokensVisibleTo(viewer) } });
  if (!token) throw new NotFoundError("API token");
  if (token.revokedAt) return token;
  return deps.db.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
}
