import type { ApiTokenFieldsFragment } from "@slipway/sdk";

export type TokenState = "active" | "revoked" | "expired";

export function tokenState(token: ApiTokenFieldsFragment, now: number = Date.now()): TokenState {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= now) return "expired";
  return "active";
}
