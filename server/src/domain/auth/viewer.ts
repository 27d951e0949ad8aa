import type { ApiTokenKind, UserRole } from "../../generated/prisma/client.js";
import { ForbiddenError } from "../errors.js";
import type { Scope } from "./scopes.js";

/** Who is acting: the user and the token (session or API) they presented. */
export interface Viewer {
  userId: string;
  tokenId: string;
  tokenKind: ApiTokenKind;
  role: UserRole;
  scopes: ReadonlySet<Scope>;
}

export function requireScope(viewer: Viewer, scope: Scope): void {
  if (!viewer.scopes.has(scope)) throw new ForbiddenError(`This needs the "${scope}" scope`);
}
