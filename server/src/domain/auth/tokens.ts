import { createHash, randomBytes } from "node:crypto";

// Prefixes tell a leaked token's kind at a glance (and let secret scanners match them).
const PREFIX = { SESSION: "slws_", API: "slwt_", SETUP: "slwsetup_" } as const;

export interface IssuedToken {
  token: string;
  /** Shown in listings so a user can tell tokens apart; not enough to use one. */
  displayPrefix: string;
  hash: string;
}

export function issueToken(kind: keyof typeof PREFIX): IssuedToken {
  const token = PREFIX[kind] + randomBytes(32).toString("base64url");
  return { token, displayPrefix: token.slice(0, PREFIX[kind].length + 6), hash: hashToken(token) };
}

/** Tokens carry 256 random bits, so one fast hash is enough to keep them useless if leaked. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
