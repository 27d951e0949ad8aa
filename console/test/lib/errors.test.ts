import { describe, expect, it } from "vitest";
import { pointAtFields, toFieldErrors } from "../../src/lib/errors";

describe("toFieldErrors", () => {
  it("keys errors by the input field they name and capitalises server fragments", () => {
    expect(
      toFieldErrors([
        { path: ["input", "name"], message: "must start with a letter" },
        { path: ["input", "name"], message: "second message is dropped" },
        { path: ["scopes"], message: "not yours to grant: admin" },
      ]),
    ).toEqual({ name: "Must start with a letter", scopes: "Not yours to grant: admin" });
  });
});

describe("pointAtFields", () => {
  const problem = (fieldErrors: Record<string, string>) => ({ message: "Invalid input: name: taken", fieldErrors });

  it("points at the fields when the form shows all of them", () => {
    expect(pointAtFields(problem({ name: "Taken" }), ["name"]).message).toBe("Fix the highlighted field.");
    expect(pointAtFields(problem({ name: "a", port: "b" }), ["name", "port"]).message).toBe(
      "Fix the highlighted fields.",
    );
  });

  it("keeps the server's message when a field error has nowhere to show", () => {
    expect(pointAtFields(problem({ projectId: "Unknown" }), ["name"]).message).toBe("Invalid input: name: taken");
    expect(pointAtFields(problem({}), ["name"]).message).toBe("Invalid input: name: taken");
  });
});
