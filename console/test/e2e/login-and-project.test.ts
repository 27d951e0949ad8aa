import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { phoneScreenshot, screenshot, startApiServer, useTestBed, type TestBed } from "./harness";

const admin = { email: "admin@example.com", password: "e2e-correct-horse-battery" };

describe("console in Chromium against the real API", () => {
  const bed = useTestBed((web) => startApiServer(admin, web));
  let web: TestBed<unknown>["web"];
  let page: Page;
  beforeAll(() => {
    ({ web, page } = bed);
  });

  const tab = (name: string) =>
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
  const heading = (name: string) => page.getByRole("heading", { level: 1, name, exact: true });

  it("signs in as the admin, creates a project and a service, and lists the project", async () => {
    await page.goto(`${web.url}/`);
    await page.waitForURL((url) => url.pathname === "/login");
    await heading("Sign in").waitFor();
    await screenshot(page, "01-login");

    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    // Scoped to the form: Next's route announcer is an alert too.
    const formAlert = page.locator("form").getByRole("alert").filter({ hasText: /\S/ });
    await formAlert.waitFor();
    expect(await formAlert.textContent()).not.toMatch(/can't reach/i);
    await screenshot(page, "02-login-wrong-password");

    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await heading("Projects").waitFor();
    await page.getByText("No projects yet").waitFor();
    expect(await page.evaluate(() => localStorage.getItem("slipway.token"))).toBeTruthy();
    await screenshot(page, "03-projects-empty");

    await page.getByRole("link", { name: "New project" }).click();
    await heading("New project").waitFor();
    await screenshot(page, "04-new-project");

    await page.getByLabel("Name").fill("storefront");
    await page.getByLabel("Description").fill("The shop's web app and its workers.");
    await page.getByRole("button", { name: "Create project" }).click();
    await heading("storefront").waitFor();
    await page.getByText("No services yet").waitFor();
    await screenshot(page, "05-project-created");

    await page.getByRole("link", { name: "Add service" }).click();
    await heading("Add a service").waitFor();
    await page.getByLabel("Name").fill("web");
    await page.getByLabel("Port").fill("8080");
    await page.getByLabel("Health check path").fill("/healthz");
    await screenshot(page, "06-new-service");
    await page.getByRole("button", { name: "Add service" }).click();
    // Creating a service lands on it: deploying it is the next step.
    await heading("web").waitFor();
    await page.getByRole("link", { name: "storefront" }).click();
    await heading("storefront").waitFor();
    await page.getByRole("list", { name: "Services" }).getByRole("heading", { name: "web" }).waitFor();
    await screenshot(page, "07-project-with-service");

    await tab("Projects").click();
    await heading("Projects").waitFor();
    const listed = page.getByRole("list", { name: "Projects" }).getByRole("link", { name: "storefront" });
    await listed.waitFor();
    await expect(listed.count()).resolves.toBe(1);
    await screenshot(page, "08-projects-listed");
  });

  it("shows the other tabs and settings pages", async () => {
    for (const [name, title, file, shows] of [
      ["Deploy", "Deploy", "09-deploy", "Deploying needs a server to run on"],
      ["Deployments", "Deployments", "10-deployments", "No deployments yet"],
      ["Infrastructure", "Infrastructure", "11-infrastructure", "No servers yet"],
    ] as const) {
      await tab(name).click();
      await heading(title).waitFor();
      await page.getByText(shows, { exact: false }).first().waitFor();
      await screenshot(page, file);
    }

    await tab("Settings").click();
    await page.waitForURL((url) => url.pathname === "/settings/credentials");
    await page.getByRole("heading", { level: 2, name: "DigitalOcean" }).waitFor();
    await screenshot(page, "12-settings-credentials");

    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "API tokens" }).click();
    await page.getByRole("heading", { level: 2, name: "Your tokens" }).waitFor();
    await screenshot(page, "13-settings-api-tokens");

    await page.setViewportSize({ width: 390, height: 844 });
    // A phone shows the tabs as a menu.
    await page.getByRole("button", { name: /^Menu/ }).click();
    await tab("Projects").click();
    await page.getByRole("list", { name: "Projects" }).getByRole("link", { name: "storefront" }).waitFor();
    await phoneScreenshot(page, "14-projects-phone");
  });
});
