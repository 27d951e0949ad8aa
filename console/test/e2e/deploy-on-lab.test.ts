// Deploying from the console for real: the API with its default servers' gateway (SSH, the agent,
// docker, nginx) and two lab hosts adopted through it (api-lab.ts). In Chromium: drop a static-site
// archive on the Deploy page, follow the live view to success with a reload in the middle (no step
// row or log line missing or twice, against the API's stored events), see the site through nginx on
// every host, deploy v2, roll back from Deployments and see v1 served again.
// Needs root and the lab (see lab/src/hosts/README.md), like the server's e2e tests.
import { execFileSync } from "node:child_process";
import http from "node:http";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, phoneScreenshot, screenshot, startLabApi, useTestBed, type LabApi, type TestBed } from "./harness";

/** nginx on the hosts routes the service's default name to it. */
const SITE_HOST = "site.shop.slipway.internal";

/**
 * A static site as a .tar.gz. v1 brings its own Dockerfile whose build renders the pages one by one
 * (a few seconds of real build output, so the test can reload in the middle of a deploy); the
 * others are index.html only, and Slipway generates their Dockerfile (busybox httpd).
 */
function siteArchive(version: string, options: { slowBuild?: boolean } = {}): { name: string; base64: string } {
  const dir = makeTempDir("slipway-e2e-site-");
  const src = path.join(dir, "site");
  mkdirSync(src);
  writeFileSync(path.join(src, "index.html"), `<!doctype html>\n<h1>console lab site ${version}</h1>\n`);
  if (options.slowBuild) {
    writeFileSync(path.join(src, ".dockerignore"), "Dockerfile\n.dockerignore\n");
    writeFileSync(
      path.join(src, "Dockerfile"),
      [
        "FROM slipway-lab/busybox:latest",
        "COPY . /site",
        'RUN for page in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "rendering page $page/12"; sleep 0.4; done',
        'CMD ["httpd", "-f", "-p", "8080", "-h", "/site"]',
        "",
      ].join("\n"),
    );
  }
  const file = path.join(dir, "site.tar.gz");
  execFileSync("tar", ["-czf", file, "-C", src, "."]);
  const base64 = readFileSync(file).toString("base64");
  rmSync(dir, { recursive: true, force: true });
  return { name: `site-${version}.tar.gz`, base64 };
}

/** GET http://<address>:80/ with a Host header, as a browser behind DNS would. */
function hostGet(address: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: address, port: 80, path: "/", headers: { host }, agent: false, timeout: 5_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error("no answer within 5 s")));
    request.on("error", reject);
    request.end();
  });
}

/** Every host answers 200 with the version's page (polled briefly: nginx reloads asynchronously). */
async function expectServing(api: LabApi, version: string): Promise<void> {
  const expected = `<h1>console lab site ${version}</h1>`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answers = await Promise.all(api.hosts.map((h) => hostGet(h.address, SITE_HOST).catch((e: Error) => ({ status: 0, body: e.message }))));
    if (answers.every((a) => a.status === 200 && a.body.includes(expected))) return;
    if (Date.now() > deadline) throw new Error(`not serving ${version} by ${SITE_HOST}: ${JSON.stringify(answers)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface ApiEvent {
  seq: number;
  level: string;
  step: string;
  message: string;
  serverId: string | null;
}

describe("deploying to real lab hosts from the console, in Chromium", () => {
  // Registered before the test bed, so it runs after the bed's teardown (after-hooks run in reverse):
  // stopping the API must have torn down its lab instance, hosts and all.
  afterAll(() => {
    const left = (bed.api?.hosts ?? []).filter((host) => existsSync(path.join(bed.api!.labRoot, "hosts", host.name)));
    expect(left.map((host) => host.name), "lab hosts left behind").toEqual([]);
  });
  const bed = useTestBed(startLabApi);
  let api: LabApi;
  let web: TestBed<LabApi>["web"];
  let page: Page;
  beforeAll(() => {
    ({ api, web, page } = bed);
    console.log(`lab API ready in ${api.setUpMs} ms with ${api.hosts.map((h) => `${h.name} (${h.address})`).join(", ")}`);
  });

  const tab = (name: string) =>
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
  const heading = (name: string) => page.getByRole("heading", { level: 1, name, exact: true });
  const operationId = () => decodeURIComponent(new URL(page.url()).pathname.split("/")[2] ?? "");

  /** The operation's stored events, all of them (paged as the API allows). */
  async function apiEvents(id: string): Promise<ApiEvent[]> {
    const token = await page.evaluate(() => localStorage.getItem("slipway.token"));
    const events: ApiEvent[] = [];
    for (;;) {
      const response = await fetch(api.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `query($id: ID!, $after: Int!) { node(id: $id) { ... on Operation { events(afterSeq: $after, first: 200) { seq level step message serverId } } } }`,
          variables: { id, after: events.at(-1)?.seq ?? 0 },
        }),
      });
      const body = (await response.json()) as { data?: { node: { events: ApiEvent[] } }; errors?: unknown };
      if (!body.data) throw new Error(`events of ${id}: ${JSON.stringify(body.errors)}`);
      events.push(...body.data.node.events);
      if (body.data.node.events.length < 200) return events;
    }
  }

  /** Every step row and log line on the page equals the API's events, each once. */
  async function expectViewMatchesApi(id: string): Promise<ApiEvent[]> {
    const events = await apiEvents(id);
    const shownSeqs = await page.locator(".log__line").evaluateAll((lines) => lines.map((l) => Number(l.getAttribute("data-seq"))));
    expect(shownSeqs).toEqual(events.filter((e) => e.level === "DEBUG").map((e) => e.seq));
    const lanes = await page.locator(".lane").evaluateAll((sections) =>
      sections.map((s) => [...s.querySelectorAll("[data-step]")].map((row) => row.getAttribute("data-step"))),
    );
    for (const steps of lanes) expect(new Set(steps).size).toBe(steps.length);
    // One lane per server that had events (and one for the control plane), each with its steps.
    // The end of the operation is its outcome, not a step.
    const nonDebug = events.filter((e) => e.level !== "DEBUG" && !(e.serverId === null && e.step === "finished"));
    const expectedLanes = new Set(nonDebug.map((e) => e.serverId ?? "control"));
    expect(lanes).toHaveLength(expectedLanes.size);
    const stepCount = lanes.reduce((sum, steps) => sum + steps.length, 0);
    const expectedSteps = new Set(nonDebug.map((e) => `${e.serverId ?? "control"} ${e.step}`));
    expect(stepCount).toBe(expectedSteps.size);
    return events;
  }

  async function expectLogAtBottom() {
    const box = await page.getByLabel("Build log").evaluate((pre) => ({ top: pre.scrollTop, height: pre.clientHeight, content: pre.scrollHeight }));
    expect(box.content, "the log should be long enough to scroll").toBeGreaterThan(box.height);
    expect(box.top + box.height, JSON.stringify(box)).toBeGreaterThanOrEqual(box.content - 8);
  }

  async function waitForOutcome(outcome: "Succeeded" | "Failed" | "Cancelled") {
    await page.locator(".notice__title", { hasText: outcome }).waitFor({ timeout: 150_000 });
  }

  async function dropArchive(archive: { name: string; base64: string }) {
    await page.evaluate(({ name, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name, { type: "application/gzip" }));
      const zone = document.querySelector('[data-testid="archive-drop"]')!;
      zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, archive);
    await page.getByText(archive.name).waitFor();
  }

  async function checkAllHosts() {
    for (const host of api.hosts) await page.getByRole("checkbox", { name: new RegExp(host.name) }).check();
  }

  it("signs in and creates a project with a static-site service", async () => {
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
    await page.getByLabel("Name").fill("site");
    await page.getByLabel("Port").fill("8080");
    await page.getByRole("button", { name: "Add service" }).click();
    // Creating a service lands on its page.
    await page.getByRole("heading", { level: 1, name: "site", exact: true }).waitFor();

    // The adopted hosts are there, with the agent the control plane expects.
    await tab("Infrastructure").click();
    const servers = page.getByRole("list", { name: "Servers" });
    for (const host of api.hosts) await servers.locator(".row__title", { hasText: host.name }).waitFor();
    expect(await servers.getByText("Outdated").count()).toBe(0);
    await screenshot(page, "40-lab-infrastructure");
  });

  it("deploys a dropped archive to the lab hosts, reloads mid-deploy and resumes with no gap or duplicate; nginx serves it", async () => {
    await tab("Deploy").click();
    await heading("Deploy").waitFor();
    await page.getByLabel("Service").waitFor();
    await checkAllHosts();
    await page.getByLabel("Save as").fill("lab hosts");
    await page.getByRole("button", { name: "Save config" }).click();
    await page.getByText("Saved “lab hosts”.").waitFor();
    // Deploying with no archive is caught before any request.
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    await page.getByText("Choose or drop an archive to deploy.").waitFor();
    await dropArchive(siteArchive("v1", { slowBuild: true }));
    await screenshot(page, "41-lab-deploy-form");
    const clicked = Date.now();
    await page.getByRole("button", { name: "Deploy", exact: true }).click();

    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    const id = operationId();
    // The build is under way (its output streams in), the deploy still running: reload now.
    await page.locator(".log__line", { hasText: "rendering page 2/12" }).waitFor({ timeout: 60_000 });
    expect(await page.locator(".notice__title").count()).toBe(0);
    await screenshot(page, "42-lab-operation-live");
    const linesBefore = await page.locator(".log__line").count();
    const rowsBefore = await page.locator("[data-step]").count();
    expect((await apiEvents(id)).some((e) => e.step === "finished")).toBe(false);

    await page.reload();
    // Straight after the reload what was shown is back (kept in sessionStorage), then it goes on.
    // (state "attached": a blank log line is an empty, invisible row.)
    await page.locator(".log__line").nth(linesBefore - 1).waitFor({ state: "attached", timeout: 5_000 });
    expect(await page.locator("[data-step]").count()).toBeGreaterThanOrEqual(rowsBefore);
    // ...and the build goes on live after it.
    await page.locator(".log__line", { hasText: "rendering page 12/12" }).waitFor({ timeout: 60_000 });
    await screenshot(page, "43-lab-operation-resumed");
    await waitForOutcome("Succeeded");
    console.log(`v1 deploy: ${Date.now() - clicked} ms from the click to Succeeded`);
    // The log followed the build's bursts of lines to the end (nobody scrolled it up).
    await expectLogAtBottom();
    const events = await expectViewMatchesApi(id);
    // The work really happened on each host.
    for (const host of api.hosts) expect(events.some((e) => e.serverId === host.id)).toBe(true);
    expect(events.at(-1)).toMatchObject({ step: "finished", message: "Succeeded" });
    await screenshot(page, "44-lab-operation-succeeded");
    await phoneScreenshot(page, "45-lab-operation-phone");

    await expectServing(api, "v1");
  });

  it("deploys v2, then rolls back from Deployments and nginx serves v1 again", async () => {
    await tab("Deploy").click();
    await heading("Deploy").waitFor();
    await page.getByLabel("Service").waitFor();
    await page.getByLabel("Load a config").selectOption({ label: "lab hosts" });
    await page.getByText("Loaded “lab hosts”.").waitFor();
    for (const host of api.hosts) expect(await page.getByRole("checkbox", { name: new RegExp(host.name) }).isChecked()).toBe(true);
    await dropArchive(siteArchive("v2"));
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    await waitForOutcome("Succeeded");
    await expectViewMatchesApi(operationId());
    await expectServing(api, "v2");

    await tab("Deployments").click();
    await heading("Deployments").waitFor();
    await page.getByText("Page 1 of 1 · 2 deployments").waitFor();
    await screenshot(page, "46-lab-deployments");
    const v1Row = page.getByRole("row").filter({ hasText: "site-v1.tar.gz" });
    await v1Row.getByRole("button", { name: "Roll back" }).click();
    await v1Row.getByRole("button", { name: "Roll back now" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    const id = operationId();
    await waitForOutcome("Succeeded");
    await expectViewMatchesApi(id);
    // A rollback reuses the image on each host: nothing is built, so there is no log.
    await page.getByText("No log output.", { exact: true }).waitFor();
    await screenshot(page, "47-lab-rollback-succeeded");
    await expectServing(api, "v1");

    await tab("Deployments").click();
    await page.getByText("3 deployments").waitFor();
    await page.getByRole("row").filter({ hasText: "rollback" }).first().waitFor();
    await screenshot(page, "48-lab-deployments-after-rollback");
  });

  it("keeps every event exactly once when the WebSocket drops in the middle of a real deploy", async () => {
    // Every socket to the API goes through this proxy, which cuts the first one after a few events.
    let forwarded = 0;
    let dropped = false;
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => server.send(message));
      server.onMessage((message) => {
        ws.send(message);
        if (!dropped && String(message).includes('"next"') && ++forwarded === 12) {
          dropped = true;
          void ws.close({ code: 1001, reason: "cut by the test" });
        }
      });
    });
    // Routing patches WebSocket in new documents only: load the page afresh.
    await page.goto(`${web.url}/deploy`);
    await page.getByLabel("Load a config").selectOption({ label: "lab hosts" });
    await page.getByText("Loaded “lab hosts”.").waitFor();
    await dropArchive(siteArchive("v3", { slowBuild: true }));
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    const id = operationId();
    await waitForOutcome("Succeeded");
    expect(dropped).toBe(true);
    await expectViewMatchesApi(id);
    await expectLogAtBottom();
    await page.unrouteAll();
    await expectServing(api, "v3");
  });

  it("deploys an image reference from the saved config; the hosts pull it from a registry", async () => {
    await tab("Deploy").click();
    await heading("Deploy").waitFor();
    await page.getByLabel("Load a config").selectOption({ label: "lab hosts" });
    await page.getByText("Loaded “lab hosts”.").waitFor();
    await page.getByLabel("Container image").check();
    await page.getByLabel("Image", { exact: true }).fill(api.image);
    await screenshot(page, "49-lab-deploy-image");
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    const id = operationId();
    await waitForOutcome("Succeeded");
    const events = await expectViewMatchesApi(id);
    expect(events.some((e) => e.step === "image" && e.message === `Pulling ${api.image} (unless the server has it)`)).toBe(true);
    await expectServing(api, "v4");

    await tab("Deployments").click();
    await page.getByText("5 deployments").waitFor();
    await phoneScreenshot(page, "50-lab-deployments-phone");
  });

  it("cancels a deploy from its live view mid-build, after one confirmation; the hosts keep serving what they served", async () => {
    await tab("Deploy").click();
    await page.getByLabel("Load a config").selectOption({ label: "lab hosts" });
    await page.getByText("Loaded “lab hosts”.").waitFor();
    await dropArchive(siteArchive("v5", { slowBuild: true }));
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/operations/"));
    const id = operationId();
    await page.locator(".log__line", { hasText: "rendering page 2/12" }).waitFor({ timeout: 60_000 });

    await page.getByRole("button", { name: "Cancel deploy" }).click();
    await page.getByRole("button", { name: "Keep it running" }).click();
    await page.getByRole("button", { name: "Cancel deploy" }).click();
    await page.getByRole("button", { name: "Stop the deploy" }).click();
    await page.getByText("Cancelling: the deploy stops at its next safe point").waitFor();
    expect(await page.getByRole("button", { name: "Cancel deploy" }).count()).toBe(0);
    await waitForOutcome("Cancelled");
    await screenshot(page, "51-lab-deploy-cancelled");
    const events = await expectViewMatchesApi(id);
    expect(events.filter((e) => e.step === "cancel").map((e) => e.message)).toEqual(["Cancel requested by Administrator", "Stopping at the next safe point"]);
    expect(events.at(-1)).toMatchObject({ step: "finished", message: "Cancelled" });
    await expectServing(api, "v4");
  });
});
