import { describe, expect, it } from "vitest";
import { safeNextPath } from "../../src/lib/next-path";

describe("safeNextPath", () => {
  it("follows same-site paths", () => {
    expect(safeNextPath("/settings/credentials")).toBe("/settings/credentials");
    expect(safeNextPath("/projects/abc?x=1")).toBe("/projects/abc?x=1");
  });

  it("refuses anything that could leave the site or loop back to sign-in", () => {
    for (const raw of [null, "", "https://evil.example", "//evil.example", "/\\evil.example", "/login", "/setup"]) {
      expect(safeNextPath(raw)).toBe("/");
    }
  });
});
