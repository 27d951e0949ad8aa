import { CombinedError } from "urql";
import { describe, expect, it } from "vitest";
import { toOutcome } from "../../src/lib/mutation-result";

describe("toOutcome", () => {
  it("unwraps a success member", () => {
    expect(toOutcome(undefined, { __typename: "MutationCreateProjectSuccess", data: { id: "p1" } })).toEqual({
      ok: true,
      data: { id: "p1" },
    });
  });

  it("turns an error member into a problem with field errors", () => {
    const outcome = toOutcome(undefined, {
      __typename: "ValidationError",
      message: "Invalid input",
      fieldErrors: [{ path: ["input", "name"], message: "too long" }],
    });
    expect(outcome).toEqual({ ok: false, problem: { message: "Invalid input", fieldErrors: { name: "Too long" } } });
  });

  it("describes a GraphQL error in words", () => {
    const error = new CombinedError({
      graphQLErrors: [{ message: "nope", extensions: { code: "FORBIDDEN" } }],
    });
    expect(toOutcome(error, undefined)).toEqual({
      ok: false,
      problem: { message: "You don't have permission to do that.", fieldErrors: {} },
    });
  });
});
