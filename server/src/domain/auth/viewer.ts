import type { ApiTokenKind, UserRole } from "../../generated/prisma/client.js";
import { ForbiddenError } from "../errors.js";
import type { Scope } from "./scopes.js";

/** Who is acting: the user and the token (session or API) they presented. */
export interface Viewer {
  userId: string;
  tokenId: string;
  tokenKind: ApiTokenKind;
  tokenExpiresAt: Date | null;
  role: UserRole;
  /** The token's scopes as its user's current role allows them. */
  scopes: ReadonlySet<Scope>;
  /** The presented secret, kept in memory only, so a long subscription can check it again. */
  bearer: string;
}

export function requireScope(viewer: Viewer, scope: Scope): void {
  if (!viewer.scopes.has(scope)) throw new ForbiddenError(`This needs the "${scope}" scope`);
}

export function isAdmin(viewer: Viewer): boolean {
  return viewer.scopes.has("admin");
}
