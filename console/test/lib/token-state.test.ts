import { describe, expect, it } from "vitest";
import { tokenState } from "../../src/components/api-tokens/tokenState";

const base = {
  id: "t1",
  name: "ci",
  prefix: "slwt_abc",
  scopes: ["read"],
  createdAt: "2026-01-01T00:00:00Z",
  lastUsedAt: null,
  expiresAt: null,
  revokedAt: null,
};
const now = Date.parse("2026-06-01T00:00:00Z");

describe("tokenState", () => {
  it("is active until revoked or expired", () => {
    expect(tokenState(base, now)).toBe("active");
    expect(tokenState({ ...base, expiresAt: "2026-07-01T00:00:00Z" }, now)).toBe("active");
    expect(tokenState({ ...base, expiresAt: "2026-05-01T00:00:00Z" }, now)).toBe("expired");
    expect(tokenState({ ...base, revokedAt: "2026-05-01T00:00:00Z" }, now)).toBe("revoked");
  });
});
