import { describe, expect, it } from "vitest";
import { editorLines } from "../../src/components/services/DomainsEditor";
import { checklistSteps } from "../../src/lib/getting-started";
import { explainProblem } from "../../src/lib/provider-errors";
import { removalLines } from "../../src/lib/removal";

const empty = {
  verifiedDigitalOcean: false,
  verifiedCloudflare: false,
  servers: 0,
  projects: 0,
  services: 0,
  succeededDeployments: 0,
  domains: 0,
  firstProject: null,
  firstService: null,
};

describe("checklistSteps", () => {
  it("ticks nothing on an empty install and links each step to the page that does it", () => {
    const steps = checklistSteps(empty);
    expect(steps.map((s) => [s.id, s.done, s.href])).toEqual([
      ["credential", false, "/settings/credentials"],
      ["servers", false, "/infrastructure"],
      ["project", false, "/projects/new"],
      ["service", false, "/projects/new"],
      ["deploy", false, "/deploy"],
      ["domain", false, "/projects/new"],
    ]);
  });

  it("ticks steps from what exists: an adopted server also stands for the credential step", () => {
    const steps = checklistSteps({
      ...empty,
      servers: 1,
      projects: 1,
      services: 1,
      firstProject: { id: "UHJvamVjdDox", name: "shop" },
      firstService: { id: "U2VydmljZTox", name: "web", project: { id: "UHJvamVjdDox", name: "shop" } },
    });
    expect(steps.filter((s) => s.done).map((s) => s.id)).toEqual(["credential", "servers", "project", "service"]);
    expect(steps.find((s) => s.id === "deploy")?.href).toBe("/deploy?project=UHJvamVjdDox&service=U2VydmljZTox");
    expect(steps.find((s) => s.id === "domain")?.href).toBe("/projects/shop/services/web");
  });
});

describe("explainProblem", () => {
  it("turns a missing credential into a sentence with a link to Credentials, keeping the raw cause", () => {
    const raw = 'A DIGITALOCEAN credential named "default" was not found';
    expect(explainProblem(raw)).toEqual({
      sentence: "There is no DigitalOcean token yet: add one first.",
      next: { href: "/settings/credentials", label: "Settings → Credentials" },
      details: raw,
    });
  });

  it("says what a network failure means and what to do", () => {
    expect(explainProblem("getaddrinfo ENOTFOUND api.digitalocean.com").sentence).toBe(
      "The control plane could not look up api.digitalocean.com: it seems to have no internet access or DNS. Check its network (or proxy), then try again.",
    );
    expect(explainProblem("connect ECONNREFUSED 127.0.0.1:4610").sentence).toMatch(/^127\.0\.0\.1:4610 refused the connection/);
    expect(explainProblem("DigitalOcean answered 401 Unauthorized").next?.href).toBe("/settings/credentials");
  });

  it("leaves other messages as they are", () => {
    expect(explainProblem("A project named \"shop\" already exists")).toEqual({ sentence: 'A project named "shop" already exists' });
  });
});

describe("removalLines", () => {
  it("names what deleting removes, per server and in DNS", () => {
    expect(
      removalLines({
        blockedBy: null,
        dnsHostnames: ["shop.example.com"],
        servers: [{ serverId: "x", serverName: "web-1", agentName: "shop-web", images: ["a", "b"] }],
      }),
    ).toEqual([
      "Its deployments, environment variables, domains and saved deploy configs in Slipway.",
      "On web-1: the shop-web containers, its nginx site and 2 images.",
      "In Cloudflare DNS: the records of shop.example.com.",
    ]);
  });
});

describe("editorLines", () => {
  it("keeps each typed line, drops blank ones", () => {
    expect(editorLines("https://a.example.com/\n\n  b.example.com , c.example.com\n")).toEqual(["https://a.example.com/", "b.example.com", "c.example.com"]);
  });
});
