import { describe, expect, it } from "vitest";
import { buildSpec, containerCreateOptions, containerName, labelFilters, publishedHostPort, slipwayLabelFilter } from "../../src/commands/docker.js";

const DEP = "0f8fad5b-d9cb-469f-a165-70867728950e";

describe("docker builders", () => {
  it("names a release's container after the service and the deployment's first 8 characters", () => {
    expect(containerName("shop-web", DEP)).toBe("slipway-shop-web-0f8fad5b");
  });

  it("creates the container with env at run time, labels, loopback-only publishing, unless-stopped and an init", () => {
    expect(containerCreateOptions({ service: "web", deployment: DEP, image: "slipway/web:deploy_0f8fad5b", port: 8080, env: { A: "1", SECRET: "s3cr3t" } })).toEqual({
      name: "slipway-web-0f8fad5b",
      Image: "slipway/web:deploy_0f8fad5b",
      Env: ["A=1", "SECRET=s3cr3t"],
      Labels: { "dev.slipway.managed": "true", "dev.slipway.service": "web", "dev.slipway.deployment": DEP },
      ExposedPorts: { "8080/tcp": {} },
      HostConfig: {
        PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
        RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 },
        Init: true,
        LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
      },
    });
  });

  it("reads the assigned host port back from inspect", () => {
    expect(publishedHostPort({ "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "49154" }] }, 8080)).toBe(49154);
    expect(publishedHostPort({ "8080/tcp": null }, 8080)).toBeNull();
    expect(publishedHostPort(undefined, 8080)).toBeNull();
  });

  it("builds with tag and labels, and filters on labels", () => {
    expect(buildSpec("app:deploy_0f8fad5b", "web", DEP)).toEqual({
      tag: "app:deploy_0f8fad5b",
      labels: { "dev.slipway.managed": "true", "dev.slipway.service": "web", "dev.slipway.deployment": DEP },
    });
    expect(slipwayLabelFilter()).toEqual(["dev.slipway.managed=true"]);
    expect(slipwayLabelFilter("web")).toEqual(["dev.slipway.managed=true", "dev.slipway.service=web"]);
    expect(labelFilters("web")).toEqual({ label: ["dev.slipway.managed=true", "dev.slipway.service=web"] });
  });
});
