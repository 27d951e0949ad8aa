import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, onTestFailed } from "vitest";

export const consoleDir = fileURLToPath(new URL("../..", import.meta.url));
export const repoRoot = path.resolve(consoleDir, "..");
export const screenshotDir = path.join(consoleDir, "test-results", "screenshots");
const bin = (name: string) => path.join(repoRoot, "node_modules", ".bin", name);

// Overridable so the harness can be pointed at another API implementation.
export const serverEntry = path.resolve(
  repoRoot,
  process.env.SLIPWAY_E2E_SERVER_ENTRY ?? "server/src/main.ts",
);
export const chromiumPath = process.env.SLIPWAY_E2E_CHROMIUM ?? "/usr/bin/chromium";

/** What the browser test cannot run without: what it is, where it should be, how to get it. */
export function missingPrerequisites(): string[] {
  const required = [
    { what: "API server entry", file: serverEntry, how: "set SLIPWAY_E2E_SERVER_ENTRY to use another" },
    {
      what: "server's Prisma client",
      file: path.join(repoRoot, "server/src/generated/prisma/client.ts"),
      how: "npx turbo run generate --filter=@slipway/prisma",
    },
    {
      what: "built SDK (the console imports it)",
      file: path.join(repoRoot, "sdk/dist/index.js"),
      how: "npm run build -w @slipway/sdk",
    },
    { what: "Chromium", file: chromiumPath, how: "apt-get install -y chromium, or set SLIPWAY_E2E_CHROMIUM" },
  ];
  return required
    .filter(({ file }) => !existsSync(file))
    .map(({ what, file, how }) => `${what}: ${file} (${how})`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A child process in its own process group, with its output kept for failure messages. */
export class Running {
  private log = "";
  private exited: number | null | undefined;
  /** How long stop() waits after SIGTERM before SIGKILL (the lab API destroys its hosts then). */
  stopGraceMs = 5000;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on("data", (chunk: Buffer) => (this.log += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (this.log += chunk.toString()));
    child.on("exit", (code) => (this.exited = code));
  }

  get output(): string {
    return this.log.slice(-4000);
  }

  get hasExited(): boolean {
    return this.exited !== undefined;
  }

  async stop(): Promise<void> {
    if (this.hasExited || this.child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    try {
      process.kill(-this.child.pid, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        if (this.child.pid !== undefined) process.kill(-this.child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, this.stopGraceMs);
    await exited;
    clearTimeout(timer);
  }
}

export function start(name: string, command: string, args: string[], options: { cwd: string; env: Record<string, string> }): Running {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  return new Running(name, child);
}

export async function waitUntil(
  running: Running,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.hasExited) throw new Error(`${running.name} exited early:\n${running.output}`);
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${running.name} was not ready after ${timeoutMs} ms:\n${running.output}`);
}

export interface Admin {
  email: string;
  password: string;
}

/** The console's address, chosen before the API starts: the API admits browsers from it only (CORS). */
export interface ConsoleAddress {
  url: string;
  port: number;
}

export async function consoleAddress(): Promise<ConsoleAddress> {
  const port = await freePort();
  return { url: `http://127.0.0.1:${port}`, port };
}

export async function startApiServer(admin: Admin, web: ConsoleAddress): Promise<{ url: string; dataDir: string; process: Running }> {
  const port = await freePort();
  const dataDir = makeTempDir("slipway-e2e-data-");
  const running = start("API server", bin("tsx"), [serverEntry], {
    cwd: repoRoot,
    env: {
      PORT: String(port),
      SLIPWAY_DATA_DIR: dataDir,
      SLIPWAY_CONSOLE_URL: web.url,
      SLIPWAY_ADMIN_EMAIL: admin.email,
      SLIPWAY_ADMIN_PASSWORD: admin.password,
    },
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitUntil(
    running,
    async () => {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ setupStatus { needsSetup } }" }),
      });
      return response.ok;
    },
    120_000,
  );
  return { url, dataDir, process: running };
}

export interface InProcessApi {
  url: string;
  dataDir: string;
  admin: Admin;
  digitalOceanToken: string;
  process: Running;
}

/**
 * The real API with the DigitalOcean simulator and two seeded server rows, for what needs no real
 * host: see api-in-process.ts. Fails, never skips, if it can't start.
 */
export async function startInProcessApi(web: ConsoleAddress): Promise<InProcessApi> {
  return startReportingApi<InProcessApi>("API server (in-process gateway)", "test/e2e/api-in-process.ts", web, 120_000);
}

export interface MetricsApi {
  url: string;
  dataDir: string;
  admin: Admin;
  /** Global ids of the seeded service and its adopted host. */
  serviceId: string;
  adoptedId: string;
  process: Running;
}

/** The API with an hour of seeded figures and scaling decisions: see api-metrics.ts. */
export async function startMetricsApi(web: ConsoleAddress): Promise<MetricsApi> {
  return startReportingApi<MetricsApi>("API server (seeded metrics)", "test/e2e/api-metrics.ts", web, 120_000);
}

export interface LabHost {
  /** The server's name in Slipway, also the lab host's name (`con-lab-…`). */
  name: string;
  /** The host's address on the lab bridge: its nginx answers on port 80. */
  address: string;
  /** Global id of the server. */
  id: string;
}

export interface LabApi {
  url: string;
  dataDir: string;
  admin: Admin;
  hosts: LabHost[];
  /** An image in the lab instance's registry that the hosts can pull (serves "console lab site v4"). */
  image: string;
  /** The lab instance's folder: its hosts live under <labRoot>/hosts. */
  labRoot: string;
  setUpMs: number;
  process: Running;
}

/**
 * The API with its real servers' gateway and lab hosts booted and adopted through it: see
 * api-lab.ts. Stopping it tears down its own lab instance, so it gets time to do so.
 */
export async function startLabApi(web: ConsoleAddress): Promise<LabApi> {
  return startReportingApi<LabApi>("API server (lab hosts)", "test/e2e/api-lab.ts", web, 360_000, 120_000);
}

/** Starts one of the API scripts that print `READY {json}` and waits for that line. */
async function startReportingApi<Api extends { dataDir: string; process: Running }>(
  name: string,
  script: string,
  web: ConsoleAddress,
  timeoutMs: number,
  stopGraceMs = 5000,
): Promise<Api> {
  const dataDir = makeTempDir("slipway-e2e-data-");
  const running = start(name, bin("tsx"), [path.join(consoleDir, script)], {
    cwd: repoRoot,
    env: { SLIPWAY_DATA_DIR: dataDir, SLIPWAY_CONSOLE_URL: web.url },
  });
  running.stopGraceMs = stopGraceMs;
  let ready: Omit<Api, "process"> | undefined;
  try {
    await waitUntil(
      running,
      async () => {
        const line = /^READY (.+)$/m.exec(running.output)?.[1];
        if (line) ready = JSON.parse(line);
        return ready !== undefined;
      },
      timeoutMs,
    );
  } catch (error) {
    // Still booting hosts, perhaps: let it clean up after itself.
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return { ...ready!, dataDir, process: running } as Api;
}

/**
 * Builds the console if there is no production build yet (`next start` needs one), or always when
 * SLIPWAY_E2E_REBUILD=1, so a stale build is never tested by mistake.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  const built = existsSync(path.join(consoleDir, ".next", "BUILD_ID"));
  if (built && process.env.SLIPWAY_E2E_REBUILD !== "1") return;
  const build = start("next build", bin("next"), ["build"], { cwd: consoleDir, env: {} });
  const code = await new Promise<number | null>((resolve) => build.child.on("exit", resolve));
  if (code !== 0) throw new Error(`next build failed:\n${build.output}`);
}

export async function startConsole(apiUrl: string, web?: ConsoleAddress): Promise<{ url: string; process: Running }> {
  await ensureConsoleBuilt();
  const port = web?.port ?? (await freePort());
  const running = start("console", bin("next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: consoleDir,
    // Read by the root layout on every request; see src/lib/api-url.ts.
    env: { SLIPWAY_API_URL: apiUrl },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(running, async () => (await fetch(`${url}/login`)).ok, 60_000);
  return { url, process: running };
}

export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const userDataDir = makeTempDir("slipway-e2e-chromium-");
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A full-page screenshot of the state the page is in, which must also pass axe's WCAG 2.x A and
 * AA rules: every state a test shows people is checked for accessibility too.
 */
export async function screenshot(page: Page, name: string, options: { axe?: boolean } = {}): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
  if (options.axe !== false) await expectAccessible(page, name);
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core in the page; fails listing each violation (rule, impact, where). */
export async function expectAccessible(page: Page, state: string): Promise<void> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
  });
  if (violations.length > 0) {
    const lines = violations.map((v) => `  - ${v.id} (${v.impact}): ${v.help} at ${v.targets.slice(0, 5).join(", ")}`);
    throw new Error(`axe found ${violations.length} accessibility violation(s) in "${state}":\n${lines.join("\n")}`);
  }
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

export interface TestBed<Api> {
  api: Api;
  web: { url: string; process: Running };
  browser: { context: BrowserContext; close: () => Promise<void> };
  page: Page;
}

/**
 * Registers the suite's set-up: checks the prerequisites (a missing one fails the suite, it is
 * never skipped), starts the API and the console, opens Chromium, and tears all of it down after;
 * a failing test leaves a screenshot. The fields are filled in once `beforeAll` has run.
 */
export function useTestBed<Api extends { url: string; dataDir: string; process: Running }>(startApi: (web: ConsoleAddress) => Promise<Api>): TestBed<Api> {
  const bed = {} as TestBed<Api>;
  beforeAll(async () => {
    const missing = missingPrerequisites();
    if (missing.length > 0) {
      throw new Error(`The browser test cannot run; missing:\n${missing.map((item) => `  - ${item}`).join("\n")}`);
    }
    const web = await consoleAddress();
    bed.api = await startApi(web);
    bed.web = await startConsole(bed.api.url, web);
    bed.browser = await launchBrowser();
    bed.page = await bed.browser.context.newPage();
  });
  afterAll(async () => {
    await bed.browser?.close();
    await bed.web?.process.stop();
    await bed.api?.process.stop();
    if (bed.api?.dataDir) rmSync(bed.api.dataDir, { recursive: true, force: true });
  });
  beforeEach(({ task }) => {
    onTestFailed(() => screenshot(bed.page, `failed-${task.name.replace(/\W+/g, "-")}`, { axe: false }));
  });
  return bed;
}

/** A full-page screenshot at phone width (390 × 844), then back to the desktop size. */
export async function phoneScreenshot(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, name);
  await page.setViewportSize({ width: 1280, height: 800 });
}
