import { describe, expect, it } from "vitest";
import { checkName } from "../../src/lib/names";

describe("checkName", () => {
  it("accepts names the server accepts", () => {
    for (const name of ["a", "web", "api-2", "a".repeat(40)]) expect(checkName(name)).toBeNull();
  });

  it("explains each way a name can be wrong", () => {
    expect(checkName("")).toBe("Enter a name.");
    expect(checkName("a".repeat(41))).toBe("Use at most 40 characters.");
    expect(checkName("2web")).toBe("Start the name with a lowercase letter.");
    expect(checkName("Web")).toBe("Start the name with a lowercase letter.");
    expect(checkName("my_app")).toBe("Use only lowercase letters, digits and hyphens.");
    expect(checkName("my app")).toBe("Use only lowercase letters, digits and hyphens.");
  });
});
