import type { UserRole } from "../../generated/prisma/client.js";

/** What a token may do. Every field that reads or writes data names the scope it needs. */
export const SCOPES = {
  read: "Read projects, services, deployments, servers and operations",
  "projects:write": "Create and change projects, services, env vars and deploy configs",
  deploy: "Deploy, roll back and clean up images",
  "servers:write": "Provision, adopt and delete servers; manage snapshots",
  "credentials:write": "Set, verify and delete provider credentials",
  admin: "Manage users and every API token",
} as const;

export type Scope = keyof typeof SCOPES;
export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

const ROLE_SCOPES: Record<UserRole, Scope[]> = {
  ADMIN: ALL_SCOPES,
  MEMBER: ["read", "projects:write", "deploy"],
};

export function scopesForRole(role: UserRole): Scope[] {
  return ROLE_SCOPES[role];
}

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}

export function parseScopes(stored: string): Scope[] {
  return stored.split(" ").filter(isScope);
}
