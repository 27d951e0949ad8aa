// A new user's first hour: GraphiQL from the console with the network cut off, the phone menu,
// the getting-started checklist. Real API (server/src/main.ts), production console, Chromium.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { phoneScreenshot, screenshot, startApiServer, useTestBed, type TestBed } from "./harness";

const admin = { email: "first-hour@example.com", password: "e2e-first-hour-passphrase" };

describe("the first hour, in Chromium against the real API", () => {
  const bed = useTestBed(() => startApiServer(admin));
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
