import { describe, expect, it } from "vitest";
import { configPath, parseConfig } from "../src/config.js";
import { tokenSha256, isAuthorized } from "../src/http/auth.js";
import { AGENT_SHIM_CONTENTS } from "../src/layout.js";
import { AGENT_VERSION } from "../src/version.js";
import pkg from "../package.json" with { type: "json" };

const SHA = tokenSha256("t");

describe("config", () => {
  it("fills defaults", () => {
    expect(parseConfig(JSON.stringify({ tokenSha256: SHA }), "x")).toEqual({ port: 7420, tokenSha256: SHA, dockerSocket: "/var/run/docker.sock", nginxDir: "/etc/nginx", stateDir: "/opt/slipway/state" });
  });

  it("refuses bad files with the reason", () => {
    expect(() => parseConfig("{", "/opt/slipway/agent.json")).toThrow(/^\/opt\/slipway\/agent.json: not JSON/);
    expect(() => parseConfig(JSON.stringify({ tokenSha256: "abc" }), "f")).toThrow("f: invalid agent configuration: tokenSha256: must be 64 lowercase hex characters");
    expect(() => parseConfig(JSON.stringify({ tokenSha256: SHA, token: "plain" }), "f")).toThrow(/Unrecognized key/);
    expect(() => parseConfig(JSON.stringify({ tokenSha256: SHA, port: 0 }), "f")).toThrow(/port/);
  });

  it("is found at /opt/slipway/agent.json unless the environment says otherwise", () => {
    expect(configPath({})).toBe("/opt/slipway/agent.json");
    expect(configPath({ SLIPWAY_AGENT_CONFIG: "/tmp/a.json" })).toBe("/tmp/a.json");
  });
});

describe("auth, version, layout", () => {
  it("accepts only the token whose sha256 the config holds", () => {
    expect(isAuthorized("Bearer t", SHA)).toBe(true);
    expect(isAuthorized("Bearer u", SHA)).toBe(false);
    expect(isAuthorized("bearer t", SHA)).toBe(false);
    expect(isAuthorized(undefined, SHA)).toBe(false);
  });

  it("exports the package version and the shim", () => {
    expect(AGENT_VERSION).toBe(pkg.version);
    expect(AGENT_SHIM_CONTENTS).toBe('#!/bin/sh\nexec node --max-semi-space-size=1 --max-old-space-size=64 /opt/slipway/agent/slipway-agent.mjs "$@"\n');
  });
});
