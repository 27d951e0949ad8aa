// Console: the Deployments page with 10,000 deployments in the database. A real control plane
// (in-process, SQLite in a temp dir), the production console build (`next start`) and Chromium.
// Prints, per run and as medians: the page's time to first byte, the Deployments query's time to
// first byte, and the time until the first page of rows is rendered. Asserts nothing.
//
//   npx turbo run build --filter=@slipway/console && npx tsx bench/console-deployments.ts
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { startTestServer } from "../server/test/harness.js";
import { consoleAddress, launchBrowser, missingPrerequisites, startConsole } from "../console/test/e2e/harness.js";

const COUNT = 10_000;
const RUNS = 7;
const STATUSES = ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED", "CANCELLED"] as const;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(0)} ms`;

const missing = missingPrerequisites();
if (missing.length > 0) throw new Error(`missing:\n${missing.join("\n")}`);

// The API admits the console's origin only (CORS): the console's port is chosen first.
const webAddress = await consoleAddress();
const server = await startTestServer({ SLIPWAY_CONSOLE_URL: webAddress.url });
const web = await startConsole(server.url, webAddress);
const browser = await launchBrowser();
try {
  const project = await server.gql(
    `mutation { createProject(input: {name: "bench"}) { ... on MutationCreateProjectSuccess { data { id } } } }`, {}, server.adminToken,
  );
  const service = await server.gql(
    `mutation($p: ID!) { createService(input: {projectId: $p, name: "web"}) { ... on MutationCreateServiceSuccess { data { id } } } }`,
    { p: project.data.createProject.data.id }, server.adminToken,
  );
  const serviceId = Buffer.from(service.data.createService.data.id, "base64").toString().split(":")[1]!;

  const inserted = performance.now();
  const start = Date.now() - COUNT * 60_000;
  const rows = Array.from({ length: COUNT }, (_, i) => {
    const id = randomUUID();
    const at = new Date(start + i * 60_000);
    return {
      id, serviceId, status: STATUSES[i % STATUSES.length], sourceType: "IMAGE" as const, sourceRef: `registry.test/bench/web:${i}`,
      imageTag: `slipway/bench-web:deploy_${id.slice(0, 8)}`, port: 3000, healthCheckPath: "/", healthCheckTimeoutSeconds: 60,
      domains: [], envCiphertext: "", createdAt: at, startedAt: at, finishedAt: new Date(at.getTime() + 20_000),
    };
  });
  for (let i = 0; i < rows.length; i += 500) await server.app.deps.db.deployment.createMany({ data: rows.slice(i, i + 500) });
  console.log(`inserted ${COUNT} deployments in ${ms(performance.now() - inserted)}`);

  const page = await browser.context.newPage();
  await page.goto(`${web.url}/login`);
  await page.evaluate((token) => localStorage.setItem("slipway.token", token), server.adminToken);

  const runs: { page: number; query: number; rendered: number }[] = [];
  for (let run = 0; run <= RUNS; run++) {
    // Browser resource timing hides cross-origin detail (the API is another origin), so the
    // query's timing is taken from Chromium's network events.
    const queryTiming = page.waitForResponse((r) => r.url().includes("/graphql") && (r.request().postData() ?? "").includes("query Deployments"));
    const t0 = performance.now();
    await page.goto(`${web.url}/deployments`, { waitUntil: "commit" });
    await page.locator("table tbody tr").nth(19).waitFor({ timeout: 60_000 });
    const rendered = performance.now() - t0;
    const navigation = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      return nav.responseStart - nav.requestStart;
    });
    const request = (await queryTiming).request().timing();
    const timing = { page: navigation, query: request.responseStart - request.requestStart };
    if (run === 0) continue; // warm-up: first compile of caches, JIT
    runs.push({ ...timing, rendered });
    console.log(`run ${run}: page TTFB ${ms(timing.page)}, Deployments query TTFB ${ms(timing.query)}, first page rendered ${ms(rendered)}`);
  }
  const total = await page.locator(".pager__where").textContent();
  console.log(`\n${COUNT} deployments (${total?.trim()}), median of ${RUNS} runs after a warm-up:`);
  console.log(`  page time to first byte:            ${ms(median(runs.map((r) => r.page)))}`);
  console.log(`  Deployments query time to first byte: ${ms(median(runs.map((r) => r.query)))}`);
  console.log(`  navigation start to 20 rows rendered: ${ms(median(runs.map((r) => r.rendered)))}`);
} finally {
  await browser.close();
  await web.process.stop();
  await server.stop();
}
