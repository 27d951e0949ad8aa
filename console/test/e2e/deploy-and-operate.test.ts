import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, phoneScreenshot, screenshot, startInProcessApi, useTestBed, type InProcessApi, type TestBed } from "./harness";

/** A small app with its own Dockerfile, as a .tar.gz. */
function appArchive(): { name: string; base64: string } {
  const dir = makeTempDir("slipway-e2e-app-");
  const src = path.join(dir, "app");
  mkdirSync(src);
  writeFileSync(path.join(src, "Dockerfile"), "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"index.js\"]\n");
  writeFileSync(path.join(src, "index.js"), "require('http').createServer((q, s) => s.end('ok')).listen(8080);\n");
  const file = path.join(dir, "app.tar.gz");
  execFileSync("tar", ["-czf", file, "-C", src, "."]);
  const base64 = readFileSync(file).toString("base64");
  rmSync(dir, { recursive: true, force: true });
  return { name: "app.tar.gz", base64 };
}

interface ApiEvent {
  seq: number;
  level: string;
  step: string;
  serverId: string | null;
}

describe("deploying and operating from the console, in Chromium", () => {
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
  const operationId = () => decodeURIComponent(new URL(page.url()).pathname.split("/")[2] ?? "");

  async function apiEvents(id: string): Promise<ApiEvent[]> {
    const token = await page.evaluate(() => localStorage.getItem("slipway.token"));
    const response = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `query($id: ID!) { node(id: $id) { ... on Operation { events(afterSeq: 0, first: 500) { seq level step serverId } } } }`,
        variables: { id },
      }),
    });
    return ((await response.json()) as { data: { node: { events: ApiEvent[] } } }).data.node.events;
  }

  /** Every step row and log line on the page equals the API's events, each once. */
  async function expectViewMatchesApi(id: string) {
    const events = await apiEvents(id);
    const shownSeqs = await page.locator(".log__line").evaluateAll((lines) => lines.map((l) => Number(l.getAttribute("data-seq"))));
    expect(shownSeqs).toEqual(events.filter((e) => e.level === "DEBUG").map((e) => e.seq));
    const lanes = await page.locator(".lane").evaluateAll((sections) =>
      sections.map((s) => [...s.querySelectorAll("[data-step]")].map((row) => row.getAttribute("data-step"))),
    );
    for (const steps of lanes) expect(new Set(steps).size).toBe(steps.length);
    const expectedLanes = new Set(events.filter((e) => e.level !== "DEBUG").map((e) => e.serverId ?? "control"));
    expect(lanes).toHaveLength(expectedLanes.size);
  }

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
    await page.getByRole("list", { name: "Services" }).getByRole("link", { name: "web" }).waitFor();

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

  it("deploys a dropped archive to two servers, reloads mid-deploy and resumes with no gap or duplicate", async () => {
    await page.getByRole("link", { name: "Deploy" }).last().click();
    await heading("Deploy").waitFor();
    await page.getByLabel("Service").waitFor();
    await page.getByRole("checkbox", { name: /con-web-1/ }).check();
    await page.getByRole("checkbox", { name: /con-web-2/ }).check();
    await page.getByLabel("Save as").fill("both servers");
    await page.getByRole("button", { name: "Save config" }).click();
    await page.getByText("Saved “both servers”.").waitFor();

    // Deploying with no archive is caught before any request.
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    await page.getByText("Choose or drop an archive to deploy.").waitFor();

    const archive = appArchive();
    await page.evaluate(({ name, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name, { type: "application/gzip" }));
      const zone = document.querySelector('[data-testid="archive-drop"]')!;
      zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, archive);
    await page.getByText("app.tar.gz").waitFor();
    await screenshot(page, "23-deploy-form");
    await page.getByRole("button", { name: "Deploy", exact: true }).click();

    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    const id = operationId();
    await page.locator(".log__line").nth(3).waitFor();
    await screenshot(page, "24-operation-live");
    const seenBefore = await page.locator(".log__line").count();
    expect(await page.locator(".notice__title", { hasText: "Succeeded" }).count()).toBe(0);

    await page.reload();
    // Straight after the reload the kept events are back before any new one arrives.
    await page.locator(".log__line").nth(seenBefore - 1).waitFor();
    await waitForOutcome("Succeeded");
    await expectViewMatchesApi(id);
    expect(await page.getByRole("progressbar").count()).toBeGreaterThan(3);
    await screenshot(page, "25-operation-succeeded");

    await phoneScreenshot(page, "26-operation-phone");
  });

  it("loads the saved config, deploys an image, then rolls back to the archive from Deployments", async () => {
    await tab("Deploy").click();
    await heading("Deploy").waitFor();
    await page.getByLabel("Load a config").selectOption({ label: "both servers" });
    await page.getByText("Loaded “both servers”.").waitFor();
    expect(await page.getByRole("checkbox", { name: /con-web-2/ }).isChecked()).toBe(true);
    await page.getByLabel("Container image").check();
    await page.getByLabel("Image", { exact: true }).fill("registry.test/shop/web:2");
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    await waitForOutcome("Succeeded");

    await tab("Deployments").click();
    await heading("Deployments").waitFor();
    await page.getByText("Page 1 of 1 · 2 deployments").waitFor();
    await screenshot(page, "27-deployments");
    await page.getByLabel("Status").selectOption("FAILED");
    await page.getByText("No deployments match").waitFor();
    await page.getByLabel("Status").selectOption("SUCCEEDED");
    await page.getByText("2 deployments").waitFor();

    const archiveRow = page.getByRole("row").filter({ hasText: "app.tar.gz" });
    await archiveRow.getByRole("button", { name: "Roll back" }).click();
    await screenshot(page, "28-rollback-confirm");
    // Focus waits on "Cancel", so a stray Enter does nothing harmful.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await archiveRow.getByRole("button", { name: "Roll back now" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    await waitForOutcome("Succeeded");
    await screenshot(page, "29-rollback-succeeded");

    await tab("Deployments").click();
    await page.getByText("3 deployments").waitFor();
    await page.getByRole("row").filter({ hasText: "rollback" }).first().waitFor();
    await phoneScreenshot(page, "30-deployments-phone");
  });

  it("keeps every event exactly once when the WebSocket drops in the middle of a deploy", async () => {
    // Every socket to the API goes through this proxy, which cuts the first one after a few events.
    let forwarded = 0;
    let dropped = false;
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => server.send(message));
      server.onMessage((message) => {
        ws.send(message);
        if (!dropped && String(message).includes('"next"') && ++forwarded === 6) {
          dropped = true;
          void ws.close({ code: 1001, reason: "cut by the test" });
        }
      });
    });
    // Routing patches WebSocket in new documents only: load the page afresh.
    await page.goto(`${web.url}/deploy`);
    await page.getByLabel("Load a config").selectOption({ label: "both servers" });
    await page.getByLabel("Container image").check();
    await page.getByLabel("Image", { exact: true }).fill("registry.test/shop/web:3");
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    const id = operationId();
    await waitForOutcome("Succeeded");
    expect(dropped).toBe(true);
    await expectViewMatchesApi(id);
    await page.unrouteAll();
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

  it("says plainly that the API has no user management", async () => {
    await tab("Settings").click();
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Users" }).click();
    await page.getByText("User management is not in the API yet").waitFor();
    await page.getByRole("list", { name: "Users" }).getByText(api.admin.email).waitFor();
    await screenshot(page, "33-settings-users");
  });
});
