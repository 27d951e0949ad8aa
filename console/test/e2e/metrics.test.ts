// The metrics charts in Chromium against the real control plane, on an hour of seeded figures
// (api-metrics.ts): the service's charts with a line per server, a gap where a server did not
// answer, its scaling decisions marked and listed with their operations, the time-range picker,
// and a server's own page with its host charts.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { phoneScreenshot, screenshot, startMetricsApi, useTestBed, type MetricsApi, type TestBed } from "./harness";

describe("metrics charts in Chromium", () => {
  const bed = useTestBed(startMetricsApi);
  let api: MetricsApi;
  let web: TestBed<MetricsApi>["web"];
  let page: Page;
  beforeAll(() => {
    ({ api, web, page } = bed);
  });

  const charts = () => page.locator("figure.chart");

  it("shows a service's charts, one line per server, with its scaling decisions marked and listed", async () => {
    await page.goto(`${web.url}/login`);
    await page.getByLabel("Email").fill(api.admin.email);
    await page.getByLabel("Password").fill(api.admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Projects" }).waitFor();
    await page.goto(`${web.url}/services/${encodeURIComponent(api.serviceId)}`);

    const metrics = page.getByRole("region", { name: "Metrics" });
    await metrics.getByText("One line per server, every 15 s").waitFor();
    expect(await charts().locator("figcaption").allTextContents()).toEqual([
      "Requests per second", "Latency (p95, p50 dashed)", "Errors (5xx per second)", "CPU (the service's containers, % of one core)", "Memory",
    ]);
    // Every chart is drawn (a canvas each) and described in words for those who cannot see it.
    expect(await charts().locator("canvas").count()).toBeGreaterThanOrEqual(5);
    const requests = await page.getByRole("img", { name: /^Requests per second:/ }).getAttribute("aria-label");
    // The server scaled in ten minutes ago has no figure now.
    expect(requests).toMatch(/^Requests per second: con-web-1 \d+(\.\d+)? req\/s, web-as-1a2b3c —, web-as-4d5e6f \d+(\.\d+)? req\/s; 2 scaling decisions marked$/);
    expect(await page.getByRole("list", { name: "Requests per second legend" }).getByRole("listitem").allTextContents()).toHaveLength(3);

    const decisions = page.getByRole("list", { name: "Scaling decisions" });
    await expect.poll(() => decisions.getByRole("listitem").allTextContents()).toEqual([
      expect.stringMatching(/^Scaled in 3 → 2 .*: requests 6\/s per server over 3 servers, target 10\/s → 2 servers: scaling in towards 2 servers: removing web-as-1a2b3c \(operation, succeeded\)$/),
      expect.stringMatching(/^Scaled out 1 → 3 .*scaling out from 1 to 3 servers \(operation, succeeded\)$/),
    ]);
    await screenshot(page, "50-service-metrics");
    await phoneScreenshot(page, "50-service-metrics-phone");
  });

  it("shows the autoscaling policy and refuses a change that cannot hold, saying why", async () => {
    const panel = page.getByRole("region", { name: "Autoscaling" });
    await panel.getByText("On: 1 to 3 servers, target 10 requests/s per server; new servers from con-snap (nyc3, s-1vcpu-1gb).").waitFor();
    await panel.getByText(/^Last decision .*: requests 6\/s per server/).waitFor();
    await panel.getByRole("button", { name: "Edit policy" }).click();
    await panel.getByLabel("Minimum servers").fill("4");
    await panel.getByRole("button", { name: "Save policy" }).click();
    await panel.getByText("must be at least minServers (4)").waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("maxServers");
    await screenshot(page, "52-autoscale-policy-invalid");
    // No DigitalOcean token is saved here: an enabled policy could not create droplets.
    await panel.getByLabel("Minimum servers").fill("1");
    await panel.getByRole("button", { name: "Save policy" }).click();
    await panel.getByText(/set a DigitalOcean token first/).waitFor();
    await panel.getByLabel("Scale this service automatically").uncheck();
    await panel.getByLabel("Target requests per second per server").fill("12");
    await panel.getByRole("button", { name: "Save policy" }).click();
    await panel.getByText("Off: 1 to 3 servers, target 12 requests/s per server; new servers from con-snap (nyc3, s-1vcpu-1gb).").waitFor();
  });

  it("redraws for another time range", async () => {
    await page.getByRole("group", { name: "Time range" }).getByText("6 hours").click();
    await page.getByText("One line per server, every 120 s").waitFor();
    expect(await page.getByRole("radio", { name: "6 hours" }).isChecked()).toBe(true);
    expect(await charts().count()).toBe(5);
    await page.getByRole("group", { name: "Time range" }).getByText("15 minutes").click();
    await page.getByText("One line per server, every 15 s").waitFor();
    // The scale-out was 41 minutes ago: only the scale-in is in the last 15 minutes.
    await expect.poll(() => page.getByRole("list", { name: "Scaling decisions" }).getByRole("listitem").count()).toBe(1);
  });

  it("opens a server's page with its host charts and its services' decisions", async () => {
    await page.getByRole("link", { name: "con-web-1" }).click();
    await page.getByRole("heading", { level: 1, name: "con-web-1" }).waitFor();
    await page.getByText("adopted SSH host").waitFor();
    expect(await charts().locator("figcaption").allTextContents()).toEqual(["CPU (whole machine)", "Memory used", "Load (1 minute)", "Disk free"]);
    expect(await page.getByRole("img", { name: /^Disk free: con-web-1 16\.8 GiB/ }).count()).toBe(1);
    await expect.poll(() => page.getByRole("list", { name: "Scaling decisions" }).getByRole("listitem").count()).toBe(2);
    await screenshot(page, "51-server-metrics");
  });
});
