import type { UserRole } from "../../generated/prisma/client.js";

/** What a token may do. Every field that reads or writes data names the scope it needs. */
export const SCOPES = {
  read: "Read projects, services, deployments, servers and operations",
  "projects:write": "Create and change projects, services, env vars and deploy configs",
  deploy: "Deploy, roll back and clean up images",
  "servers:write": "Provision, adopt and delete servers; manage snapshots",
  "credentials:write": "Set, verify and delete provider credentials",
  "tokens:write": "Create API tokens from this token (never more than it has, never outliving it) and revoke them",
  admin: "Manage users, settings, the audit log and every API token",
} as const;

export type Scope = keyof typeof SCOPES;
export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

/** What each role may do at most; a token of the user never does more (authenticate.ts). */
const ROLE_SCOPES: Record<UserRole, readonly Scope[]> = {
  ADMIN: ALL_SCOPES,
  MEMBER: ["read", "projects:write", "deploy", "tokens:write"],
  VIEWER: ["read", "tokens:write"],
};

export function scopesForRole(role: UserRole): readonly Scope[] {
  return ROLE_SCOPES[role];
}

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}

export function parseScopes(stored: string): Scope[] {
  return stored.split(" ").filter(isScope);
}

/** A token's effective scopes: what it was given, cut to what its user's role allows now. */
export function effectiveScopes(stored: string, role: UserRole): Set<Scope> {
  const allowed = new Set(scopesForRole(role));
  return new Set(parseScopes(stored).filter((scope) => allowed.has(scope)));
}
