// A new user's first hour: the getting-started checklist, forms that need a token or a server
// saying so, a service's life (tabs, settings, domains, delete), a project's rename and delete,
// GraphiQL from the console with the network cut off, and the phone menu. Real API
// (server/src/main.ts, nothing else: no servers, no provider tokens), production console, Chromium.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { phoneScreenshot, screenshot, startApiServer, useTestBed, type TestBed } from "./harness";

const admin = { email: "first-hour@example.com", password: "e2e-first-hour-passphrase" };

describe("the first hour, in Chromium against the real API", () => {
  const bed = useTestBed((web) => startApiServer(admin, web));
  let web: TestBed<unknown>["web"];
  let page: Page;
  beforeAll(async () => {
    ({ web, page } = bed);
    await page.goto(`${web.url}/login`);
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/");
  });

  const heading = (name: string) => page.getByRole("heading", { level: 1, name, exact: true });
  const checklist = () => page.getByRole("region", { name: "Getting started" });

  it("an empty console shows the getting-started checklist, every step linking to its page", async () => {
    await page.goto(`${web.url}/`);
    await checklist().getByText("0 of 6 done").waitFor();
    await page.getByText("No projects yet").waitFor();
    const actions = checklist().getByRole("link");
    expect(await actions.evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute("href")]))).toEqual([
      ["Add a token", "/settings/credentials"],
      ["Open Infrastructure", "/infrastructure"],
      ["Create a project", "/projects/new"],
      ["Add a service", "/projects/new"],
      ["Deploy", "/deploy"],
      ["Add a domain", "/projects/new"],
    ]);
    await screenshot(page, "63-getting-started-empty");
  });

  it("forms that need a DigitalOcean token, or a server, say so and link to where to get one", async () => {
    await page.goto(`${web.url}/infrastructure`);
    const provision = page.getByRole("region", { name: "Provision servers" });
    await provision.getByText("Provisioning servers needs a DigitalOcean token").waitFor();
    expect(await provision.getByRole("link", { name: "Add it in Settings → Credentials" }).getAttribute("href")).toBe("/settings/credentials");
    expect(await provision.getByRole("button").count()).toBe(0);
    await page.getByRole("region", { name: "Snapshots" }).getByText("Making a snapshot needs a DigitalOcean token").waitFor();
    await screenshot(page, "64-infrastructure-needs-token");

    await page.goto(`${web.url}/deploy`);
    await heading("Deploy").waitFor();
    const notice = page.getByRole("note").filter({ hasText: "Deploying needs a server to run on" });
    await notice.waitFor();
    expect(await notice.getByRole("link", { name: "Add one under Infrastructure" }).getAttribute("href")).toBe("/infrastructure");
    // Nothing to press that would upload an archive only to be refused.
    expect(await page.getByRole("button", { name: "Deploy" }).count()).toBe(0);
    await screenshot(page, "65-deploy-no-servers");
  });

  it("creating a service lands on it; its tabs show history, logs and settings; the checklist ticks off", async () => {
    await page.goto(`${web.url}/projects/new`);
    await page.getByLabel("Name").fill("shop");
    await page.getByRole("button", { name: "Create project" }).click();
    await heading("shop").waitFor();
    await page.getByRole("link", { name: "Add service" }).first().click();
    await heading("Add a service").waitFor();
    expect(await page.getByText("in a later release").count()).toBe(0);
    await page.getByLabel("Name").fill("web");
    await page.getByRole("button", { name: "Add service" }).click();
    await heading("web").waitFor();
    // Addresses people can read: names, not global ids.
    expect(new URL(page.url()).pathname).toBe("/projects/shop/services/web");
    const tabs = page.getByRole("navigation", { name: "Service" });
    expect(await tabs.getByRole("link").allTextContents()).toEqual(["Overview", "Deployments", "Logs", "Settings"]);
    expect(await tabs.getByRole("link", { name: "Overview" }).getAttribute("aria-current")).toBe("page");
    await screenshot(page, "66-service-created");

    await tabs.getByRole("link", { name: "Deployments" }).click();
    await page.getByText("No deployments yet").waitFor();
    await tabs.getByRole("link", { name: "Logs" }).click();
    await page.getByText("No deployments yet: its log shows here once it is deployed.").waitFor();
    await screenshot(page, "67-service-logs-empty");

    await tabs.getByRole("link", { name: "Settings" }).click();
    const settings = page.getByRole("form", { name: "Service settings" });
    await settings.getByLabel("Health check path").fill("healthz");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await settings.getByText("Start the path with “/”.").waitFor();
    await settings.getByLabel("Port").fill("8080");
    await settings.getByLabel("Health check path").fill("/healthz");
    await settings.getByLabel("Health check timeout (seconds)").fill("45");
    await settings.getByLabel("Health check interval (milliseconds)").fill("500");
    await settings.getByLabel("Drain period (seconds)").fill("5");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await settings.getByText("Saved. Port, health check and drain period take effect with the next deploy.").waitFor();
    await page.getByText("Port 8080 · health check /healthz").waitFor();
    await page.reload();
    expect(await settings.getByLabel("Health check interval (milliseconds)").inputValue()).toBe("500");
    expect(await settings.getByLabel("Drain period (seconds)").inputValue()).toBe("5");
    // A new name is a new address.
    await settings.getByLabel("Name").fill("site");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await page.waitForURL((url) => url.pathname === "/projects/shop/services/site/settings");
    await heading("site").waitFor();
    await screenshot(page, "68-service-settings");

    await page.goto(`${web.url}/`);
    await checklist().getByText("2 of 6 done").waitFor();
    await screenshot(page, "69-getting-started-progress");
  });

  it("the domains editor reads pasted addresses, names every bad line and says what DNS will be made", async () => {
    // An address by global id (older links) goes on to the readable one.
    const id = await page.evaluate(async (api) => {
      const response = await fetch(api, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${localStorage.getItem("slipway.token")}` },
        body: JSON.stringify({ query: '{ serviceByName(project: "shop", name: "site") { id } }' }),
      });
      return ((await response.json()) as { data: { serviceByName: { id: string } } }).data.serviceByName.id;
    }, bed.api.url);
    await page.goto(`${web.url}/services/${encodeURIComponent(id)}`);
    await page.waitForURL((url) => url.pathname === "/projects/shop/services/site");
    await heading("site").waitFor();
    await page.getByRole("button", { name: "Edit domains" }).click();
    await page.getByRole("textbox", { name: "Domains" }).fill("https://Shop.Example.com/\nnot a host!\nwww.example.com");
    const preview = page.getByRole("list", { name: "What saving does" });
    await preview.getByText("None: there is no Cloudflare token. Point shop.example.com at the servers it is deployed to yourself").waitFor();
    await preview.getByText("“not a host!” is not a host name like app.example.com.").waitFor();
    expect(await page.getByRole("link", { name: "add one in Settings → Credentials" }).getAttribute("href")).toBe("/settings/credentials");
    await page.getByRole("button", { name: "Save domains" }).click();
    await page.getByText("“not a host!” is not a host name like app.example.com.", { exact: false }).nth(1).waitFor();
    await screenshot(page, "70-domains-preview");

    await page.getByRole("textbox", { name: "Domains" }).fill("https://Shop.Example.com/\nwww.example.com");
    await page.getByRole("button", { name: "Save domains" }).click();
    const saved = page.getByRole("list", { name: "Domains" });
    await saved.getByText("shop.example.com").waitFor();
    expect(await saved.locator("code").allTextContents()).toEqual(["shop.example.com", "www.example.com"]);
  });

  it("deletes a service after saying what it removes, then renames and deletes the empty project", async () => {
    await page.getByRole("navigation", { name: "Service" }).getByRole("link", { name: "Settings" }).click();
    const removes = page.getByRole("list", { name: "What deleting removes" });
    await removes.getByText("Nothing on any server: it was never deployed.").waitFor();
    const button = page.getByRole("button", { name: "Delete service" });
    expect(await button.isDisabled()).toBe(true);
    await page.getByLabel("Type site to delete it.").fill("site");
    await screenshot(page, "71-service-delete");
    await button.click();
    await heading("shop").waitFor();
    await page.getByText("No services yet").waitFor();

    await page.getByText("Project settings").click();
    const rename = page.getByRole("form", { name: "Edit the project" });
    await rename.getByLabel("Name").fill("store");
    await rename.getByRole("button", { name: "Save" }).click();
    await page.waitForURL((url) => url.pathname === "/projects/store");
    await heading("store").waitFor();
    await page.getByText("Project settings").click();
    await page.getByLabel("Type store to delete this project; it has no services.").fill("store");
    await screenshot(page, "72-project-settings");
    await page.getByRole("button", { name: "Delete project" }).click();
    await heading("Projects").waitFor();
    await page.getByText("No projects yet").waitFor();
  });

  it("opens GraphiQL from the console and runs a query with every non-loopback request blocked", async () => {
    const context = page.context();
    const outside: string[] = [];
    await context.route("**/*", (route) => {
      const { hostname, protocol } = new URL(route.request().url());
      if (protocol === "data:" || protocol === "blob:" || hostname === "127.0.0.1" || hostname === "localhost") return route.continue();
      outside.push(route.request().url());
      return route.abort("internetdisconnected");
    });
    try {
      const [graphiql] = await Promise.all([context.waitForEvent("page"), page.getByRole("link", { name: "GraphQL API" }).click()]);
      await graphiql.waitForLoadState();
      expect(new URL(graphiql.url()).toString()).toBe(bed.api.url);

      // The headers editor is open and already holds the Authorization header to fill in.
      await graphiql.getByText("Headers", { exact: true }).waitFor();
      await graphiql.getByText('"Authorization": ""').waitFor();
      await graphiql.getByText("Bearer <your token>").first().waitFor();

      // Paste a header with this session's token (as a person would paste an API token), run.
      const token = await page.evaluate(() => localStorage.getItem("slipway.token"));
      await context.grantPermissions(["clipboard-read", "clipboard-write"]);
      await graphiql.evaluate((header) => navigator.clipboard.writeText(header), JSON.stringify({ Authorization: `Bearer ${token}` }));
      await graphiql.locator(".graphiql-editor-tool .monaco-editor").last().click();
      await graphiql.keyboard.press("Control+A");
      await graphiql.keyboard.press("Control+V");
      await graphiql.getByRole("button", { name: /execute/i }).click();
      await graphiql.getByText(`"${admin.email}"`).waitFor();
      await graphiql.getByText('"ADMIN"').waitFor();
      await screenshot(graphiql, "60-graphiql-offline", { axe: false });
      await graphiql.close();
      expect(outside).toEqual([]);
    } finally {
      await context.unroute("**/*");
    }
  });

  it("collapses the main navigation into a menu on a phone", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${web.url}/`);
      const nav = page.getByRole("navigation", { name: "Main" });
      const menu = nav.getByRole("button", { name: /^Menu\W+Projects$/ });
      await menu.waitFor();
      expect(await nav.getByRole("link", { name: "Infrastructure" }).isVisible()).toBe(false);
      // Nothing on the page is wider than the phone.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await phoneScreenshot(page, "61-nav-phone-closed");
      await page.setViewportSize({ width: 390, height: 844 });

      await menu.click();
      expect(await menu.getAttribute("aria-expanded")).toBe("true");
      await screenshot(page, "62-nav-phone-open");
      await nav.getByRole("link", { name: "Infrastructure" }).click();
      await page.getByRole("heading", { level: 1, name: "Infrastructure" }).waitFor();
      await nav.getByRole("button", { name: /^Menu\W+Infrastructure$/ }).waitFor();
      expect(await nav.getByRole("link", { name: "Projects" }).isVisible()).toBe(false);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});
