// Bearer token check against the sha256 the config holds, in constant time.
import { createHash, timingSafeEqual } from "node:crypto";

export function tokenSha256(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function isAuthorized(authorization: string | undefined, expectedSha256Hex: string): boolean {
  const m = /^Bearer ([^\s]+)$/.exec(authorization ?? "");
  if (!m?.[1]) return false;
  const given = createHash("sha256").update(m[1], "utf8").digest();
  const expected = Buffer.from(expectedSha256Hex, "hex");
  return expected.length === given.length && timingSafeEqual(given, expected);
}
