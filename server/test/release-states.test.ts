// The release states have one owner (the agent protocol); the database and the API hold the same.
import { RELEASE_STATES } from "@slipway/agent/protocol";
import { describe, expect, it } from "vitest";
import { fromDbState, toDbState } from "../src/domain/deployments/target-states.js";
import { ReleaseState } from "../src/generated/prisma/enums.js";

describe("release states", () => {
  it("are the protocol's, in capitals, in the database and the API", () => {
    expect(Object.values(ReleaseState)).toEqual(RELEASE_STATES.map((s) => s.toUpperCase()));
    expect(RELEASE_STATES.map(toDbState).map(fromDbState)).toEqual([...RELEASE_STATES]);
  });
});
