// The console's operations that need no real host, in Chromium against the real control plane
// (api-in-process.ts): credentials verified by the lab's DigitalOcean simulator, env vars and
// domains, the servers list (seeded rows: an outdated agent badge, the forced-delete guard), adopt
// refused field by field, snapshots and provisioning (the simulator's droplets, with only the agent's
// SSH bring-up stood in for), and the users page. Deploys, reloads, rollbacks and a dropped
// WebSocket run on real lab hosts in deploy-on-lab.test.ts.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { phoneScreenshot, screenshot, startInProcessApi, useTestBed, type InProcessApi, type TestBed } from "./harness";

describe("operating the console on the DigitalOcean simulator, in Chromium", () => {
  const bed = useTestBed(startInProcessApi);
  let api: InProcessApi;
  let web: TestBed<InProcessApi>["web"];
  let page: Page;
  beforeAll(() => {
    ({ api, web, page } = bed);
  });

  const tab = (name: string) =>
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
  const heading = (name: string) => page.getByRole("heading", { level: 1, name, exact: true });

  async function waitForOutcome(outcome: "Succeeded" | "Failed") {
    await page.locator(".notice__title", { hasText: outcome }).waitFor({ timeout: 60_000 });
  }

  it("signs in, creates a project and a service, and saves and verifies a DigitalOcean token", async () => {
    await page.goto(`${web.url}/login`);
    await page.getByLabel("Email").fill(api.admin.email);
    await page.getByLabel("Password").fill(api.admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await heading("Projects").waitFor();

    await page.getByRole("link", { name: "New project" }).click();
    await page.getByLabel("Name").fill("shop");
    await page.getByRole("button", { name: "Create project" }).click();
    await heading("shop").waitFor();
    await page.getByRole("link", { name: "Add service" }).click();
    await page.getByLabel("Name").fill("web");
    await page.getByLabel("Port").fill("8080");
    await page.getByRole("button", { name: "Add service" }).click();
    // Creating a service lands on its page.
    await page.getByRole("heading", { level: 1, name: "web", exact: true }).waitFor();

    await tab("Settings").click();
    const digitalOcean = page.getByRole("region", { name: "DigitalOcean" });
    await digitalOcean.getByLabel("DigitalOcean token").fill(api.digitalOceanToken);
    await digitalOcean.getByRole("button", { name: "Save token" }).click();
    await digitalOcean.getByText(/Saved “default”/).waitFor();
    await digitalOcean.getByRole("button", { name: "Verify DigitalOcean token default" }).click();
    await digitalOcean.getByText(/^Verified/).waitFor();
    // The token never comes back: the page shows only a mask.
    expect(await page.content()).not.toContain(api.digitalOceanToken);
    await screenshot(page, "20-credential-verified");
  });

  it("edits the service's env vars and domains, with secrets masked and never received", async () => {
    await tab("Projects").click();
    await page.getByRole("link", { name: "shop" }).click();
    await page.getByRole("list", { name: "Services" }).getByRole("link", { name: "web" }).click();
    await heading("web").waitFor();
    await page.getByText("Not running anywhere yet").waitFor();

    await page.getByRole("button", { name: "Edit variables" }).click();
    await page.getByRole("button", { name: "Add variable" }).click();
    await page.getByLabel("Key 1").fill("GREETING");
    await page.getByLabel("Value 1").fill("hello");
    await page.getByRole("button", { name: "Add variable" }).click();
    await page.getByLabel("Key 2").fill("1BAD");
    await page.getByLabel("Value 2").fill("sk_live_console_secret");
    await page.getByRole("button", { name: "Save variables" }).click();
    await page.getByText("Use letters, digits and underscores").waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-invalid"))).toBe("true");
    await screenshot(page, "21-service-env-invalid");
    await page.getByLabel("Key 2").fill("API_KEY");
    await page.locator(".env-row").nth(1).getByLabel("Secret").check();
    await page.getByRole("button", { name: "Save variables" }).click();
    const vars = page.getByRole("definition").filter({ hasText: "secret" });
    await vars.waitFor();
    await page.getByText("hello").waitFor();

    await page.getByRole("button", { name: "Edit domains" }).click();
    await page.getByRole("textbox", { name: "Domains" }).fill("web.example.com");
    await page.getByRole("button", { name: "Save domains" }).click();
    await page.getByRole("list", { name: "Domains" }).getByText("web.example.com").waitFor();

    // The secret is nowhere in the page or in what the API sent the browser.
    await page.reload();
    await heading("web").waitFor();
    await page.getByText("hello").waitFor();
    expect(await page.content()).not.toContain("sk_live_console_secret");
    await screenshot(page, "22-service-overview");
  });

  it("shows servers with their agent versions and outdated badge, the forced-delete guard and the adopt form", async () => {
    await tab("Infrastructure").click();
    await heading("Infrastructure").waitFor();
    const servers = page.getByRole("list", { name: "Servers" });
    await servers.locator(".row__title", { hasText: "con-web-1" }).waitFor();
    await servers.getByText(/Outdated \(expected/).waitFor();
    await servers.getByRole("button", { name: "Upgrade agent on con-web-1" }).waitFor();
    const key = await page.getByLabel("Control plane SSH public key").inputValue();
    expect(key).toMatch(/^ssh-ed25519 /);

    // Forcing the delete of a server Slipway didn't create needs its name typed.
    await servers.getByRole("button", { name: "Force delete con-web-2" }).click();
    const confirm = page.getByRole("group", { name: "Force delete con-web-2" });
    expect(await confirm.getByRole("button", { name: "Force delete" }).isDisabled()).toBe(true);
    await confirm.getByRole("textbox").fill("con-web-2");
    expect(await confirm.getByRole("button", { name: "Force delete" }).isDisabled()).toBe(false);
    await confirm.getByRole("button", { name: "Cancel" }).click();

    // Adopting with bad input is refused by the API, field by field.
    const adopt = page.getByRole("form", { name: "Adopt an SSH host" });
    await adopt.getByLabel("Name").fill("edge-1");
    await adopt.getByLabel("Host").fill("-oProxyCommand=sh");
    await adopt.getByRole("button", { name: "Adopt server" }).click();
    await adopt.locator(".field__error").first().waitFor();
    await screenshot(page, "31-infrastructure");
    await phoneScreenshot(page, "32-infrastructure-phone");

  });

  it("shows a failed adopt at the step that failed, in words, and offers a retry, a removal and the server", async () => {
    await tab("Infrastructure").click();
    const adopt = page.getByRole("form", { name: "Adopt an SSH host" });
    await adopt.getByLabel("Name").fill("con-edge");
    await adopt.getByLabel("Host").fill("127.0.0.1");
    // Nothing listens there: the connection is refused at once.
    await adopt.getByLabel("SSH port").fill("1");
    await adopt.getByRole("button", { name: "Adopt server" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    const adoptPath = new URL(page.url()).pathname;
    await waitForOutcome("Failed");
    // The step the failure happened in is shown failed (the operation may have failed before the
    // page replayed its events, so wait for them).
    const connect = page.locator('[data-step="connect"]');
    await page.locator('[data-step="connect"][data-status="failed"]').waitFor();
    await connect.getByText("Connect over SSH").waitFor();
    await connect.getByText("failed", { exact: true }).waitFor();
    const next = page.getByRole("list", { name: "Next steps" });
    await next.getByRole("button", { name: "Retry the installation on con-edge" }).waitFor();
    await next.getByRole("link", { name: "Open con-edge" }).waitFor();
    await screenshot(page, "33a-adopt-failed-next-steps");
    // Removing it needs one confirmation, no typed name.
    await next.getByRole("button", { name: "Remove con-edge" }).click();
    await next.getByRole("button", { name: "Remove server" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/operations/") && url.pathname !== adoptPath);
    await waitForOutcome("Succeeded");
    await tab("Infrastructure").click();
    await page.getByRole("list", { name: "Servers" }).locator(".row__title", { hasText: "con-web-1" }).waitFor();
    expect(await page.getByRole("list", { name: "Servers" }).getByText("con-edge").count()).toBe(0);
  });

  it("creates a snapshot, provisions a server from it and deletes that server, each followed live", async () => {
    await tab("Infrastructure").click();
    const create = page.getByRole("form", { name: "Create a snapshot" });
    await create.getByLabel("Name").fill("con-snap");
    await create.getByLabel("Region").fill("nyc3");
    await create.getByRole("button", { name: "Create snapshot" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    await waitForOutcome("Succeeded");
    await screenshot(page, "34-snapshot-created");

    await tab("Infrastructure").click();
    await page.getByRole("list", { name: "Snapshots" }).locator(".row__title", { hasText: "con-snap" }).getByText("Available").waitFor();
    const provision = page.getByRole("form", { name: "Provision servers" });
    const snapshot = provision.getByLabel("Snapshot");
    await snapshot.selectOption({ index: 0 });
    expect(await snapshot.locator("option:checked").textContent()).toMatch(/^con-snap \(agent /);
    // Regions and sizes come from DigitalOcean (the simulator) with the token saved earlier.
    await provision.getByLabel("Region").selectOption("nyc3");
    await provision.getByLabel("Size").selectOption("s-1vcpu-1gb");
    await provision.getByLabel("Name prefix").fill("con-prov");
    await screenshot(page, "35-provision-form");
    await provision.getByRole("button", { name: "Provision" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    await waitForOutcome("Succeeded");
    await screenshot(page, "36-provision-succeeded");

    await tab("Infrastructure").click();
    const servers = page.getByRole("list", { name: "Servers" });
    const droplet = servers.locator("li", { hasText: "con-prov-" });
    await droplet.getByText("managed droplet").waitFor();
    await droplet.getByText("Active").waitFor();
    expect(await droplet.getByText("Outdated").count()).toBe(0);
    await droplet.getByRole("button", { name: "Delete" }).click();
    await droplet.getByRole("button", { name: "Delete server" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    await waitForOutcome("Succeeded");
    await tab("Infrastructure").click();
    await page.getByText("2 servers").waitFor();
  });

  it("lists the users on the users page", async () => {
    await tab("Settings").click();
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Users" }).click();
    await page.getByRole("list", { name: "Users" }).getByText(api.admin.email).waitFor();
    await screenshot(page, "33-settings-users");
  });
});
