import { describe, expect, it } from "vitest";
import { toGlobalId, toRawId } from "../../src/lib/global-ids";

describe("global ids", () => {
  it("round-trips a raw id through the API's base64 Type:id form", () => {
    const raw = "0b5e3c1a-9f7e-4c2a-8d1b-2f3e4a5b6c7d";
    const global = toGlobalId("Server", raw);
    expect(Buffer.from(global, "base64").toString()).toBe(`Server:${raw}`);
    expect(toRawId(global)).toBe(raw);
  });
});
