// `npm run lab`: its options and banner (pure), then the real thing as a subprocess (root, the
// Debian packages of lab/scripts/install-deps.sh; without them the real tests fail, never skip).
// The real runs use the lab's test instance (`--instance test` / SLIPWAY_LAB_INSTANCE=test), so
// their teardowns never touch the default lab other suites use.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lab, teardownLab } from "../src/hosts/index.js";
import { labBanner } from "../src/lab-cli/banner.js";
import { DEFAULT_PORTS, DEFAULT_TOKENS, parseLabCliArgs, USAGE } from "../src/lab-cli/options.js";
import { labBaseImages } from "../src/hosts/images.js";
import { DEFAULT_LAB_CONFIG } from "../src/hosts/layout.js";
import { generateKey, labLeftovers, sshExec, tcpProbe, TEST_LAB_CONFIG } from "./hosts-support.js";
import type { LabConfig } from "../src/hosts/layout.js";
import { digitalOceanClient } from "./support/digitalocean-client.js";
import { DROPLET_DEFAULTS, waitForAction } from "./support/digitalocean-helpers.js";

describe("npm run lab: options", () => {
  it("defaults to fixed loopback ports, fixed lab tokens, example.test and a CA file in the lab's folder", () => {
    expect(parseLabCliArgs([], {}, "/var/lib/slipway-lab")).toEqual({
      command: "start",
      instance: "default",
      purge: false,
      purgeImages: false,
      digitalOceanPort: 4610,
      cloudflarePort: 4620,
      digitalOceanToken: DEFAULT_TOKENS.digitalOcean,
      cloudflareToken: DEFAULT_TOKENS.cloudflare,
      zones: ["example.test"],
      cloudflareStateDir: "/var/lib/slipway-lab/cloudflare",
      caFile: "/var/lib/slipway-lab/lab-ca.pem",
      actionDelayMs: 1000,
      runUserData: false,
    });
    expect(DEFAULT_PORTS).toEqual({ digitalOcean: 4610, cloudflare: 4620 });
    expect(parseLabCliArgs([], {}).caFile).toBe(`${DEFAULT_LAB_CONFIG.root}/lab-ca.pem`);
  });

  it("chooses the lab instance by --instance over SLIPWAY_LAB_INSTANCE, with its own folder", () => {
    expect(parseLabCliArgs(["teardown", "--instance", "test"], {})).toMatchObject({
      command: "teardown",
      instance: "test",
      caFile: `${TEST_LAB_CONFIG.root}/lab-ca.pem`,
      cloudflareStateDir: `${TEST_LAB_CONFIG.root}/cloudflare`,
    });
    expect(parseLabCliArgs([], { SLIPWAY_LAB_INSTANCE: "test" }).instance).toBe("test");
    expect(parseLabCliArgs(["--instance", "default"], { SLIPWAY_LAB_INSTANCE: "test" }).instance).toBe("default");
    expect(parseLabCliArgs([], { SLIPWAY_LAB_INSTANCE: " " }).instance).toBe("default");
    // Any other name is an instance of its own, in a folder of its own.
    expect(parseLabCliArgs(["--instance", "mine"], {})).toMatchObject({ instance: "mine", caFile: "/var/lib/slipway-lab.d/mine/lab-ca.pem" });
    expect(() => parseLabCliArgs(["--instance", "../etc"], {})).toThrow(/invalid lab instance name "..\/etc"/);
    expect(() => parseLabCliArgs([], { SLIPWAY_LAB_INSTANCE: "Prod" })).toThrow(/invalid lab instance name "Prod"/);
  });

  it("takes flags over SLIPWAY_LAB_* variables over defaults", () => {
    const env = { SLIPWAY_LAB_DO_PORT: "5001", SLIPWAY_LAB_CF_PORT: "5002", SLIPWAY_LAB_ZONES: "a.test, b.test", SLIPWAY_LAB_CF_TOKEN: "x".repeat(24) };
    const o = parseLabCliArgs(["start", "--do-port", "6001", "--ca-file", "/tmp/ca.pem", "--run-user-data", "--action-delay-ms", "50"], env);
    expect(o).toMatchObject({ digitalOceanPort: 6001, cloudflarePort: 5002, zones: ["a.test", "b.test"], cloudflareToken: "x".repeat(24), caFile: "/tmp/ca.pem", runUserData: true, actionDelayMs: 50 });
    expect(parseLabCliArgs(["--zone", "c.test", "--zone", "d.test"], env).zones).toEqual(["c.test", "d.test"]);
    expect(parseLabCliArgs(["teardown", "--purge"], {})).toMatchObject({ command: "teardown", purge: true, purgeImages: false });
    expect(parseLabCliArgs(["teardown", "--purge-images"], {})).toMatchObject({ command: "teardown", purge: false, purgeImages: true });
    expect(parseLabCliArgs(["--help"], {}).command).toBe("help");
  });

  it("refuses bad input with a clear message", () => {
    expect(() => parseLabCliArgs(["--do-port", "70000"], {})).toThrow(/DigitalOcean port must be an integer from 0 to 65535/);
    expect(() => parseLabCliArgs([], { SLIPWAY_LAB_CF_PORT: "abc" })).toThrow(/Cloudflare port/);
    expect(() => parseLabCliArgs(["--cf-token", "short"], {})).toThrow(/Cloudflare token/);
    expect(() => parseLabCliArgs(["--do-token", "has spaces in it, twenty+"], {})).toThrow(/DigitalOcean token/);
    expect(() => parseLabCliArgs(["--zone", "Not A Zone"], {})).toThrow(/not a zone name/);
    expect(() => parseLabCliArgs(["destroy"], {})).toThrow(/unknown command destroy/);
    expect(() => parseLabCliArgs(["--purge"], {})).toThrow(/--purge and --purge-images go with teardown/);
    expect(() => parseLabCliArgs(["--bogus"], {})).toThrow(/bogus/);
  });

  it("prints the env lines, tokens, CA path and zones", () => {
    const text = labBanner({
      digitalOceanUrl: "http://127.0.0.1:4610",
      digitalOceanToken: "dop-token-xxxxxxxxxxxxxxxx",
      cloudflareUrl: "http://127.0.0.1:4620/client/v4",
      cloudflareToken: "cf-token-xxxxxxxxxxxxxxxxx",
      zones: ["example.test"],
      caFile: "/var/lib/slipway-lab/lab-ca.pem",
      subnet: "10.213.0",
      runUserData: false,
      registry: "10.213.0.1:5000",
      baseImages: labBaseImages(DEFAULT_LAB_CONFIG),
    });
    expect(text).toContain("SLIPWAY_DIGITALOCEAN_API_URL=http://127.0.0.1:4610 SLIPWAY_CLOUDFLARE_API_URL=http://127.0.0.1:4620/client/v4\n");
    expect(text).toContain("DigitalOcean token: dop-token-xxxxxxxxxxxxxxxx\n");
    expect(text).toContain("Cloudflare token:   cf-token-xxxxxxxxxxxxxxxxx\n");
    expect(text).toContain("Cloudflare zone: example.test\n");
    expect(text).toContain("/var/lib/slipway-lab/lab-ca.pem");
    expect(text).toContain("10.213.0.11");
    expect(text).toContain(`  SLIPWAY_BASE_IMAGES='${JSON.stringify(labBaseImages(DEFAULT_LAB_CONFIG))}'\n`);
    expect(text).toContain("insecure-registries): 10.213.0.1:5000\n");
    expect(text).toContain("10.213.0.1:5000/slipway-lab/python:3.11");
  });
});

// ---------------------------------------------------------------------------------------------

/** The repository's root: `npm run lab -- ...` is run from there, as the README says. */
const ROOT_DIR = join(import.meta.dirname, "..", "..");
/** This suite's own lab instance (a name like any other: its config is derived from it). */
const INSTANCE = "lab-cli";

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `npm run lab -- ARGS` from the repository's root, in its own process group (so a test can kill
 * all of it, like a crash).
 */
function npmRunLab(args: string[], env: Record<string, string> = {}): Running {
  // Never the default lab: other suites may be using it right now.
  const i = args.indexOf("--instance");
  const instance = i >= 0 ? args[i + 1] : env.SLIPWAY_LAB_INSTANCE;
  if (instance !== INSTANCE) throw new Error(`npmRunLab: pass --instance ${INSTANCE} (or SLIPWAY_LAB_INSTANCE)`);
  const child = spawn("npm", ["run", "--silent", "lab", "--", ...args], {
    cwd: ROOT_DIR,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitForOutput(r: Running, marker: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void r.exited.then(() => (gone = true));
  while (!r.stdout().includes(marker)) {
    if (gone || Date.now() > deadline) throw new Error(`npm run lab did not print ${JSON.stringify(marker)}:\n${r.stdout()}\n${r.stderr()}`);
    await new Promise((res) => setTimeout(res, 50));
  }
  return r.stdout();
}

async function exitedWithin(r: Running, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`npm run lab still running after ${ms} ms:\n${r.stderr()}`)), ms));
  return Promise.race([r.exited, timeout]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Processes of a lab CLI started with `--do-port PORT`. */
function cliProcesses(port: number): string[] {
  const out: string[] = [];
  for (const pid of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
      if (cmd.includes("src/cli.ts") && cmd.includes(`--do-port ${port}`)) out.push(`${pid}: ${cmd}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

async function settled(f: () => string[]): Promise<string[]> {
  let left = f();
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = f();
  }
  return left;
}

describe("npm run lab from the repository's root", { timeout: 30_000 }, () => {
  it("keeps its flags: --help prints the usage, --instance reaches the lab", async () => {
    const help = spawnSync("npm", ["run", "--silent", "lab", "--", "--help"], { cwd: ROOT_DIR, encoding: "utf8" });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toBe(`${USAGE}\n`);
    const bad = spawnSync("npm", ["run", "--silent", "lab", "--", "teardown", "--instance", "Not_A_Name"], { cwd: ROOT_DIR, encoding: "utf8" });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('[lab] invalid lab instance name "Not_A_Name"');
  });
});

describe("npm run lab: the real thing", { timeout: 90_000 }, () => {
  let running: Running | undefined;
  let tmp: string;

  let config: LabConfig;

  beforeAll(async () => {
    new Lab({ instance: INSTANCE }).preflight();
    config = new Lab({ instance: INSTANCE }).config;
    await teardownLab({ config });
    tmp = mkdtempSync(join(tmpdir(), "slipway-lab-cli-"));
  });

  afterAll(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      try {
        process.kill(-running.child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    await teardownLab({ config, purge: true });
    rmSync(tmp, { recursive: true, force: true });
  }, 120_000);

  it("serves both simulators as printed, boots droplets as lab hosts, and cleans up on SIGINT", async () => {
    const [doPort, cfPort] = [await freePort(), await freePort()];
    const caFile = join(tmp, "lab-ca.pem");
    // The instance from the environment here; the other runs pass --instance.
    running = npmRunLab(["--do-port", String(doPort), "--ca-file", caFile, "--action-delay-ms", "100"], {
      SLIPWAY_LAB_CF_PORT: String(cfPort),
      SLIPWAY_LAB_INSTANCE: INSTANCE,
    });
    const out = await waitForOutput(running, "Press Ctrl-C");

    const env = /^\s*SLIPWAY_DIGITALOCEAN_API_URL=(\S+) SLIPWAY_CLOUDFLARE_API_URL=(\S+)$/m.exec(out);
    expect(env, out).not.toBeNull();
    const [, doUrl, cfUrl] = env!;
    expect(doUrl).toBe(`http://127.0.0.1:${doPort}`);
    expect(cfUrl).toBe(`http://127.0.0.1:${cfPort}/client/v4`);
    const doToken = /DigitalOcean token: (\S+)/.exec(out)![1]!;
    const cfToken = /Cloudflare token:\s+(\S+)/.exec(out)![1]!;
    expect(out).toContain("Cloudflare zone: example.test");
    expect(out).toContain(caFile);
    expect(out).toContain(`${config.subnet}.11`);
    expect(out).toContain(`npm run lab -- teardown --instance ${INSTANCE}`);
    expect(out).toContain(`insecure-registries): ${config.subnet}.1:5000\n`);
    // The printed registry answers, and serves the base images the banner names.
    const catalog = await request(`http://${config.subnet}.1:5000/v2/_catalog`);
    expect(((await catalog.body.json()) as { repositories: string[] }).repositories).toEqual(
      expect.arrayContaining(["slipway-lab/python", "slipway-lab/golang", "slipway-lab/static"]),
    );

    // The printed URLs answer with the printed tokens (and only with them).
    const account = await request(`${doUrl}/v2/account`, { headers: { authorization: `Bearer ${doToken}` } });
    expect(account.statusCode).toBe(200);
    expect(((await account.body.json()) as { account: { status: string } }).account.status).toBe("active");
    const wrong = await request(`${doUrl}/v2/account`, { headers: { authorization: "Bearer not-the-token" } });
    await wrong.body.dump();
    expect(wrong.statusCode).toBe(401);
    const verify = await request(`${cfUrl}/user/tokens/verify`, { headers: { authorization: `Bearer ${cfToken}` } });
    expect(verify.statusCode).toBe(200);
    expect(((await verify.body.json()) as { result: { status: string } }).result.status).toBe("active");
    const zones = await request(`${cfUrl}/zones`, { headers: { authorization: `Bearer ${cfToken}` } });
    expect(((await zones.body.json()) as { result: { name: string }[] }).result.map((z) => z.name)).toEqual(["example.test"]);
    // The CA file is the CA.
    const ca = new X509Certificate(readFileSync(caFile, "utf8"));
    expect(ca.ca).toBe(true);

    // A droplet is a real lab host.
    const call = digitalOceanClient(doUrl!, doToken);
    const key = generateKey();
    const added = await call("POST", "/v2/account/keys", { body: { name: "cli", public_key: key.publicKey } });
    const created = await call("POST", "/v2/droplets", { body: { ...DROPLET_DEFAULTS, name: "cli-1", ssh_keys: [added.body.ssh_key.id] } });
    expect(created.status).toBe(202);
    expect(await waitForAction(call, created.body.links.actions[0].id, 60_000, 250)).toBe("completed");
    const droplet = (await call("GET", `/v2/droplets/${created.body.droplet.id}`)).body.droplet;
    const ip = droplet.networks.v4[0].ip_address as string;
    expect(ip.startsWith(`${config.subnet}.`), ip).toBe(true);
    const ssh = await sshExec(ip, key, "hostname");
    expect(ssh.stdout).toBe("cli-1\n");
    const known = new Lab({ config }).processes("cli-1");
    expect(known.length).toBeGreaterThan(3);

    // SIGINT to npm (forwarded to the lab): droplets destroyed, lab torn down, exit 0.
    running.child.kill("SIGINT");
    const exit = await exitedWithin(running, 30_000);
    expect(exit, running.stderr()).toEqual({ code: 0, signal: null });
    expect(running.stderr()).toContain("destroyed droplets: cli-1");
    expect(await settled(() => labLeftovers(known, config))).toEqual([]);
    expect(await settled(() => cliProcesses(doPort))).toEqual([]);
    expect(await tcpProbe("127.0.0.1", doPort)).toBe("refused");
    expect(await tcpProbe("127.0.0.1", cfPort)).toBe("refused");
  });

  it("refuses to start on a port in use, leaving a running lab alone", async () => {
    await new Lab({ config }).setup();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      running = npmRunLab(["--instance", INSTANCE, "--do-port", String(port), "--cf-port", String(await freePort()), "--ca-file", join(tmp, "ca2.pem")]);
      const exit = await exitedWithin(running, 30_000);
      expect(exit.code).toBe(1);
      expect(running.stderr()).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
      // The bridge and forward rule of the lab already set up are still there.
      expect(labLeftovers([], config).filter((l) => l.includes(config.bridge)).length).toBeGreaterThanOrEqual(2);
      await teardownLab({ config });
      expect(await settled(() => labLeftovers([], config))).toEqual([]);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it("cleans up after a crash with npm run lab -- teardown", async () => {
    const [doPort, cfPort] = [await freePort(), await freePort()];
    running = npmRunLab(["--instance", INSTANCE, "--do-port", String(doPort), "--cf-port", String(cfPort), "--ca-file", join(tmp, "ca3.pem"), "--action-delay-ms", "0"]);
    const out = await waitForOutput(running, "Press Ctrl-C");
    const doToken = /DigitalOcean token: (\S+)/.exec(out)![1]!;
    const call = digitalOceanClient(`http://127.0.0.1:${doPort}`, doToken);
    const created = await call("POST", "/v2/droplets", { body: { ...DROPLET_DEFAULTS, name: "cli-crash" } });
    expect(await waitForAction(call, created.body.links.actions[0].id, 60_000, 250)).toBe("completed");
    const known = new Lab({ config }).processes("cli-crash");

    // A crash: every process of the CLI dies at once; the host's daemons live on.
    process.kill(-running.child.pid!, "SIGKILL");
    await exitedWithin(running, 10_000);
    expect(labLeftovers([], config).some((l) => l.startsWith("netns:"))).toBe(true);

    // The banner's own hint, run as printed from the repository's root.
    const hint = /After a crash: npm run lab -- (.+)$/m.exec(out)![1]!.split(" ");
    expect(hint).toEqual(["teardown", "--instance", INSTANCE]);
    const teardown = npmRunLab(hint);
    const exit = await exitedWithin(teardown, 60_000);
    expect(exit, teardown.stderr()).toEqual({ code: 0, signal: null });
    expect(teardown.stderr()).toMatch(/torn down: hosts [^;]*\bcli-crash\b/);
    expect(await settled(() => labLeftovers(known, config))).toEqual([]);
  });
});
