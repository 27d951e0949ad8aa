import { describe, expect, it } from "vitest";
import { managedImagesFile, parseManagedImages } from "../../src/commands/state.js";

const DEP = "0f8fad5b-d9cb-469f-a165-70867728950e";

describe("the managed-images record", () => {
  it("is one JSON file in the state folder, sorted by tag, readable only by root", () => {
    const file = managedImagesFile("/opt/slipway/state", {
      "slipway/web:deploy_0f8fad5b": { service: "web", deployment: DEP, pulledFrom: "registry.test/web:1" },
      "slipway/api:deploy_0f8fad5b": { service: "api", deployment: DEP, pulledFrom: null },
    });
    expect(file).toEqual({
      path: "/opt/slipway/state/images.json",
      mode: 0o600,
      contents: `{
  "slipway/api:deploy_0f8fad5b": {
    "service": "api",
    "deployment": "${DEP}",
    "pulledFrom": null
  },
  "slipway/web:deploy_0f8fad5b": {
    "service": "web",
    "deployment": "${DEP}",
    "pulledFrom": "registry.test/web:1"
  }
}
`,
    });
    expect(parseManagedImages(file.contents)).toEqual({
      "slipway/api:deploy_0f8fad5b": { service: "api", deployment: DEP, pulledFrom: null },
      "slipway/web:deploy_0f8fad5b": { service: "web", deployment: DEP, pulledFrom: "registry.test/web:1" },
    });
  });

  it("reads a missing or damaged file as no records (cleanup then leaves those images alone)", () => {
    expect(parseManagedImages(null)).toEqual({});
    expect(parseManagedImages("{not json")).toEqual({});
    expect(parseManagedImages("[1,2]")).toEqual({});
  });
});
