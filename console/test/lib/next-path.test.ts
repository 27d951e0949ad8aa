import { describe, expect, it } from "vitest";
import { safeNextPath } from "../../src/lib/next-path";

const ORIGIN = "https://console.example.test";

describe("safeNextPath", () => {
  it("follows same-site paths", () => {
    expect(safeNextPath("/settings/credentials", ORIGIN)).toBe("/settings/credentials");
    expect(safeNextPath("/projects/abc?x=1#top", ORIGIN)).toBe("/projects/abc?x=1#top");
  });

  it("refuses anything that could leave the site or loop back to sign-in", () => {
    for (const raw of [null, "", "https://evil.example", "//evil.example", "/\\evil.example", "/login", "/setup", "/login?next=/x"]) {
      expect(safeNextPath(raw, ORIGIN), String(raw)).toBe("/");
    }
  });

  // Issue 11, finding 9: /login?next=%2F%09%2Fevil.test led to evil.test.
  it("refuses paths that whitespace turns into another origin (open redirect)", () => {
    for (const raw of ["/\t/evil.test", "/\n/evil.test", "/\r\n/evil.test", "/ /evil.test".replace(" ", "\t"), "/\t\\evil.test"]) {
      const next = safeNextPath(raw, ORIGIN);
      expect(new URL(next, ORIGIN).origin, JSON.stringify(raw)).toBe(ORIGIN);
    }
    expect(safeNextPath(decodeURIComponent("%2F%09%2Fevil.test"), ORIGIN)).toBe("/");
  });
});
