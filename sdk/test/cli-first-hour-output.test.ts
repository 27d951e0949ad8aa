// The pure parts of the first-hour CLI commands, tested directly.
import { describe, expect, it } from "vitest";
import { notGraphQL } from "../src/client.js";
import { SlipwayGraphQLError } from "../src/errors.js";
import { tooBigMessage } from "../src/cli/archive.js";
import { bareHostname } from "../src/cli/commands/domains.js";
import { mergeVars, parsePair } from "../src/cli/commands/env.js";
import { cliTokenName } from "../src/cli/commands/login.js";
import { consolePageUrl } from "../src/cli/commands/open.js";
import { describeRemoval } from "../src/cli/commands/services.js";
import { errorJson, ExitCode } from "../src/cli/exit-codes.js";
import { progressSuffix } from "../src/cli/output/progress.js";
import { formatBytes, styleFor } from "../src/cli/output/style.js";

describe("style", () => {
  it("colours only a terminal that has colours, and never with NO_COLOR", () => {
    expect(styleFor({ isTTY: true, hasColors: () => true }, {}).red("x")).toBe("\x1b[31mx\x1b[39m");
    expect(styleFor({ isTTY: true, hasColors: () => true }, { NO_COLOR: "1" }).red("x")).toBe("x");
    expect(styleFor({ isTTY: true, hasColors: () => false }, {}).bold("x")).toBe("x");
    expect(styleFor({ isTTY: false }, {}).bold("x")).toBe("x");
  });

  it("names sizes the way people read them", () => {
    expect([formatBytes(812), formatBytes(4_200), formatBytes(13_000_000), formatBytes(2_500_000_000)]).toEqual(["812 B", "4.2 kB", "13.0 MB", "2.5 GB"]);
    expect(progressSuffix()).toBe("");
    expect(progressSuffix(4_200)).toBe(" 4.2 kB");
    expect(progressSuffix(4_200_000, 13_000_000)).toBe(" 4.2 MB of 13.0 MB (32%)");
  });
});

describe("messages", () => {
  it("says why an archive is too big, before sending it", () => {
    expect(tooBigMessage("/src/app", 142_300_000, 104_857_600, formatBytes).split("\n")[0]).toBe(
      "/src/app packs to 142.3 MB, over this server's upload limit of 104.9 MB; nothing was sent.",
    );
  });

  it("prints failures as one JSON object for --json", () => {
    expect(JSON.parse(errorJson(new SlipwayGraphQLError([{ message: "Sign in first", extensions: { code: "UNAUTHENTICATED" } }]), ExitCode.Auth))).toEqual({
      type: "error",
      message: "Sign in first",
      exitCode: 3,
      reason: "AUTH",
      code: "UNAUTHENTICATED",
    });
  });

  it("recognises the web console's page for what it is", () => {
    const page = '<!DOCTYPE html><html><head><meta name="slipway-api-url" content="http://h:4000/graphql"/>';
    expect(notGraphQL("http://h:3000/graphql", 200, page)).toBe("http://h:3000/graphql is Slipway's web console, not its API: the API is at http://h:4000/graphql");
    expect(notGraphQL("http://h:3000/graphql", 404, '<html><script src="/_next/a.js">')).toBe(
      "http://h:3000/graphql looks like Slipway's web console, not its API: the API is usually at http://h:4000/graphql",
    );
    expect(notGraphQL("http://h:8080/graphql", 200, "<html>hello")).toMatch(/answered 200 with a web page, not GraphQL/);
    expect(notGraphQL("http://h:8080/graphql", 502, "Bad gateway")).toBe("Slipway answered 502 with something that is not JSON");
  });

  it("says what deleting a service removes", () => {
    expect(describeRemoval("shop/web", { blockedBy: null, dnsHostnames: ["shop.example.com"], servers: [{ serverId: "x", serverName: "web-1", agentName: "shop-web", images: ["a"] }] })).toBe(
      [
        "Deleting shop/web removes its deployments, env vars, domains and deploy configs from Slipway",
        "  on web-1: the shop-web containers, its nginx site and 1 image",
        "  from Cloudflare DNS: the records of shop.example.com",
      ].join("\n"),
    );
  });
});

describe("inputs", () => {
  it("reads KEY=VALUE pairs, the value keeping any =", () => {
    expect(parsePair("URL=a=b")).toEqual({ key: "URL", secret: false, value: "a=b" });
    expect(() => parsePair("=x")).toThrow('"=x" is not KEY=VALUE');
  });

  it("sends the whole set, stored values left out so the server keeps them", () => {
    const current = [
      { key: "A", secret: false, value: "1" },
      { key: "S", secret: true, value: null },
      { key: "GONE", secret: false, value: "x" },
    ];
    expect(mergeVars(current, [{ key: "A", secret: false, value: "2" }, { key: "N", secret: true, value: "new" }], ["GONE"])).toEqual([
      { key: "A", secret: false, value: "2" },
      { key: "S", secret: true },
      { key: "N", secret: true, value: "new" },
    ]);
  });

  it("reads host names the way people paste them", () => {
    expect(bareHostname(" https://Shop.Example.com/ ")).toBe("shop.example.com");
    expect(bareHostname("www.example.com")).toBe("www.example.com");
  });

  it("names one token per person and machine, and the console page by names", () => {
    expect(cliTokenName("a@example.com", "laptop")).toBe("slipway CLI: a@example.com on laptop");
    expect(consolePageUrl("http://console.test:3000", "shop", "web")).toBe("http://console.test:3000/projects/shop/services/web");
  });
});
