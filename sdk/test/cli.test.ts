import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { list } from "tar";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { collectMetrics } from "../../server/src/domain/metrics/collect-metrics.js";
import { expectedAgentVersion } from "../../server/src/domain/servers/agent-release.js";
import { ADMIN } from "../../server/test/harness.js";
import { startCliTestServer, type CliTestServer } from "./cli-server.js";
import { isolatedEnv, removeTempDirs, runCli, runCliInTerminal, tempDir } from "./cli-process.js";

let t: CliTestServer;
let ci: Record<string, string>;

beforeAll(async () => {
  t = await startCliTestServer();
  ci = isolatedEnv({ SLIPWAY_URL: t.server.url, SLIPWAY_TOKEN: t.server.adminToken });
});
afterAll(async () => {
  await t?.server.stop();
  removeTempDirs();
});
beforeEach(() => t.gateway.failReleaseOn.clear());

const jsonLines = (stdout: string) => stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, any>);

async function imageDeploy(image: string, extra: string[] = []) {
  return runCli(["deploy", "--service", "shop/web", "--image", image, "--server", "host-a", "--server", "host-b", ...extra], { env: ci });
}

describe("slipway login", () => {
  it("signs in with email and password, stores an API token readable only by the user, and later commands use it", async () => {
    const env = isolatedEnv();
    const login = await runCli(["login", t.server.url.replace(/\/graphql$/, ""), "--email", ADMIN.email], { env, input: `${ADMIN.password}\n` });
    expect(login.stderr).toContain("Password:");
    expect(login.code).toBe(0);
    const file = path.join(env.XDG_CONFIG_HOME!, "slipway", "config.json");
    expect(login.stdout).toContain(`as ${ADMIN.email}; token stored in ${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, "utf8"));
    expect(stored).toMatchObject({ url: t.server.url, email: ADMIN.email });
    expect(stored.token).not.toBe(t.server.adminToken);

    const projects = await runCli(["projects"], { env });
    expect(projects.code).toBe(0);
    expect(projects.stdout).toMatch(/^NAME\s+SERVICES\s+DESCRIPTION\s+ID\nshop\s+1\s+/);
    const services = await runCli(["services", "shop"], { env });
    expect(services.stdout).toMatch(/\nweb\s+8080\s+ARCHIVE\s+\/healthz\s+/);
  });

  it("asks for everything it is not given, and refuses a wrong password with exit code 3", async () => {
    const env = isolatedEnv();
    const login = await runCli(["login"], { env, input: `${t.server.url}\n${ADMIN.email}\nwrong password\n` });
    expect(login.stderr).toContain("Slipway URL: Email: Password: ");
    expect(login.stderr).toMatch(/slipway: .*(password|credentials)/i);
    expect(login.code).toBe(3);
  });

  it("does not echo the password on a terminal", async () => {
    const env = isolatedEnv();
    const login = await runCliInTerminal(["login", t.server.url, "--email", ADMIN.email], { env, input: `${ADMIN.password}\r`, inputAfter: "Password: " });
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Logged in to ${t.server.url} as ${ADMIN.email}`);
    expect(login.stdout).not.toContain(ADMIN.password);
  });

  it("stores a given API token after checking it", async () => {
    const env = isolatedEnv();
    expect((await runCli(["login", t.server.url, "--token", t.server.adminToken], { env })).code).toBe(0);
    expect((await runCli(["servers"], { env })).stdout).toMatch(/host-a\s+ACTIVE\s+SSH_HOST/);
    expect((await runCli(["login", t.server.url, "--token", "slwt_not_a_token"], { env: isolatedEnv() })).code).toBe(3);
  });
});

describe("credentials from the environment", () => {
  it("SLIPWAY_URL and SLIPWAY_TOKEN work without a login", async () => {
    const projects = await runCli(["projects", "--json"], { env: ci });
    expect(projects.code).toBe(0);
    expect(JSON.parse(projects.stdout).map((p: { name: string }) => p.name)).toEqual(["shop"]);
  });

  it("exits 3 without credentials or with a bad token, and 4 when the server cannot be reached", async () => {
    const none = await runCli(["projects"]);
    expect(none).toMatchObject({ code: 3, stderr: expect.stringContaining("Not logged in") });
    expect((await runCli(["projects"], { env: { ...ci, SLIPWAY_TOKEN: "slwt_nope" } })).code).toBe(3);
    const unreachable = await runCli(["projects"], { env: { ...ci, SLIPWAY_URL: "http://127.0.0.1:9" } });
    expect(unreachable).toMatchObject({ code: 4, stderr: expect.stringContaining("Could not reach Slipway") });
  });
});

describe("slipway deploy", () => {
  let firstDeploymentId: string;

  it("prints plain progress lines when stdout is not a terminal, and exits 0 on success", async () => {
    const run = await imageDeploy("registry.test/shop/web:1");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^Deploying shop\/web: deployment \S+, operation \S+$/);
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d \[host-a\] release \(starting\): starting slipway\/shop-web:deploy_[0-9a-f]{8} \(20%\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d \[host-b\] release \(switched\): nginx routes .* \(80%\)$/));
    expect(lines.at(-1)).toMatch(/^Deployed shop\/web: slipway\/shop-web:deploy_[0-9a-f]{8} is live \(deployment (\S+)\)$/);
    expect(run.stdout).not.toContain("\x1b[");
    firstDeploymentId = /deployment (\S+),/.exec(lines[0]!)![1]!;
  });

  it("prints one JSON object per event and a summary with --json, and exits 1 when the deploy fails", async () => {
    t.gateway.failReleaseOn.add(t.servers["host-b"]);
    const run = await imageDeploy("registry.test/shop/web:2", ["--json"]);
    expect(run.code).toBe(1);
    const objects = jsonLines(run.stdout);
    expect(objects[0]).toMatchObject({ type: "started", kind: "deploy", service: "shop/web" });
    const events = objects.filter((o) => o.type === "event");
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.some((e) => e.step === "revert" && e.serverId === Buffer.from(`Server:${t.servers["host-a"]}`).toString("base64"))).toBe(true);
    const summary = objects.at(-1)!;
    expect(summary).toMatchObject({ type: "summary", status: "FAILED", exitCode: 1, deploymentId: objects[0]!.deploymentId });
    expect(summary.error).toContain("host-b");
    expect(summary.targets).toContainEqual(expect.objectContaining({ serverId: Buffer.from(`Server:${t.servers["host-b"]}`).toString("base64"), state: "FAILED" }));
  });

  it("shows a line per server and step updated in place on a terminal", async () => {
    const run = await runCliInTerminal(["deploy", "--service", "shop/web", "--image", "registry.test/shop/web:3"], { env: ci });
    expect(run.code).toBe(0);
    const out = run.stdout.replaceAll("\r\n", "\n");
    // Each redraw moves the cursor up over the lines drawn before and rewrites them in place.
    const frames = out.split(/\x1b\[\d+A/);
    expect(frames.length).toBeGreaterThan(5);
    const finalFrame = frames.at(-1)!.split("\n").filter((line) => line.startsWith("\r\x1b[2K")).map((line) => line.slice(5));
    // The SDK's one progress reducer: a line per server and step, in words, every step done at the end.
    expect(finalFrame.map((line) => line.replace(/\s+\[.*$/, "").replace(/\s+/g, " "))).toEqual([
      "+ host-a Image", "+ host-a Release (serving)", "+ host-b Image", "+ host-b Release (serving)", "+ slipway Traffic moved", "+ slipway Clean up images",
    ]);
    expect(finalFrame[1]).toMatch(/\[##########\] 100%  nginx routes /);
    expect(out).toMatch(/Deployed shop\/web: .* is live/);
  });

  it("uploads the current folder as a tar.gz without node_modules, .git and ignored files", async () => {
    const dir = tempDir("slipway-app-");
    for (const sub of ["node_modules/left-pad", ".git", "secrets", "src"]) mkdirSync(path.join(dir, sub), { recursive: true });
    const files = {
      "package.json": JSON.stringify({ name: "web", scripts: { start: "node index.js" } }),
      "index.js": "console.log('hi')\n",
      "src/app.js": "",
      ".gitignore": "*.log\n",
      ".slipwayignore": "secrets/\n",
      "debug.log": "noise",
      "node_modules/left-pad/index.js": "",
      ".git/HEAD": "ref: refs/heads/main\n",
      "secrets/key": "k",
    };
    for (const [file, contents] of Object.entries(files)) writeFileSync(path.join(dir, file), contents);
    const before = t.gateway.contexts.length;

    const run = await runCli(["deploy", "--service", "shop/web"], { env: ci, cwd: dir });
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^Deploying shop\/web: deployment /);
    expect(run.code).toBe(0);
    // What the server built from the upload: the code that was sent, and nothing that was left out.
    const entries: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const parser = list({ onReadEntry: (entry) => entries.push(entry.path.replace(/^\.\//, "")) });
      parser.on("end", resolve).on("error", reject);
      parser.end(t.gateway.contexts[before]!);
    });
    expect(entries).toEqual(expect.arrayContaining(["package.json", "index.js", "src/app.js"]));
    expect(entries.filter((e) => /node_modules|\.git\/|secrets|debug\.log/.test(e))).toEqual([]);
  });

  it("exits 2 when the server refuses the uploaded code", async () => {
    const dir = tempDir("slipway-app-");
    writeFileSync(path.join(dir, "notes.txt"), "no way to build this");
    const run = await runCli(["deploy", "--service", "shop/web"], { env: ci, cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Dockerfile");
  });

  it("refuses wrong usage and input the server rejects with exit code 2", async () => {
    const both = await runCli(["deploy", "--service", "shop/web", "--image", "a", "--git", "https://git.test/a.git", "--ref", "main"], { env: ci });
    expect(both).toMatchObject({ code: 2, stderr: expect.stringContaining("Choose one source") });
    expect((await runCli(["deploy", "--image", "a"], { env: ci })).code).toBe(2);
    expect((await runCli(["deploy", "--service", "shop/nope", "--image", "a"], { env: ci })).stderr).toContain('no service named "nope"');
    const invalid = await runCli(["deploy", "--service", "shop/web", "--image", "nginx;rm -rf /"], { env: ci });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("source.image");
    expect((await runCli(["deploy", "--service", "shop/web", "--image", "a", "--server", "host-z"], { env: ci })).code).toBe(2);
  });

  it("rolls back to an earlier deployment with the same live progress", async () => {
    const run = await runCli(["rollback", firstDeploymentId], { env: ci });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Rolling back shop\/web: deployment /);
    expect(run.stdout).toMatch(/\[host-a\] release \(switched\): /);
    expect(run.stdout.trim().split("\n").at(-1)).toMatch(/^Rolled back shop\/web: slipway\/shop-web:deploy_[0-9a-f]{8} is live/);
    expect(t.gateway.calls.at(-1)).toMatchObject({ kind: "release" });
    expect((await runCli(["rollback", "RGVwbG95bWVudDpub3Bl"], { env: ci })).code).toBe(2);
  });

  it("lists deployments, filtered by status", async () => {
    const all = await runCli(["deployments", "--service", "shop/web", "--json"], { env: ci });
    const deployments = JSON.parse(all.stdout) as { status: string; restored: { id: string } | null }[];
    expect(deployments.map((d) => d.status)).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED", "SUCCEEDED"]);
    expect(deployments[0]!.restored?.id).toBe(firstDeploymentId);
    const failed = await runCli(["deployments", "--service", "shop/web", "--status", "failed"], { env: ci });
    expect(failed.stdout.trim().split("\n")).toHaveLength(2);
    expect(failed.stdout).toMatch(/\n\S+\s+FAILED\s+IMAGE registry.test\/shop\/web:2\s+/);
    expect((await runCli(["deployments", "--service", "shop/web", "--status", "broken"], { env: ci })).code).toBe(2);
  });

  it("refuses to cancel a deployment that already ended (exit 1), and an unknown id (exit 2)", async () => {
    const ended = await runCli(["cancel", firstDeploymentId], { env: ci });
    expect(ended).toMatchObject({ code: 1, stdout: "", stderr: "slipway: The operation has already ended (succeeded); there is nothing to cancel\n" });
    expect((await runCli(["cancel", "RGVwbG95bWVudDpub3Bl"], { env: ci })).code).toBe(2);
  });

  it("prints a deployment's events, and follows them live", async () => {
    const logs = await runCli(["logs", firstDeploymentId], { env: ci });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/\[host-b\] release \(switched\): /);
    const followed = await runCli(["logs", "--follow", "--json", firstDeploymentId], { env: ci });
    expect(jsonLines(followed.stdout).map((e) => e.message)).toEqual(jsonLines(
      (await runCli(["logs", "--json", firstDeploymentId], { env: ci })).stdout,
    ).map((e) => e.message));
  });
});

describe("slipway config", () => {
  it("saves, loads and lists deploy configs, and deploys from one", async () => {
    const save = await runCli(["config", "save", "prod", "--service", "shop/web", "--image", "registry.test/shop/web:9", "--server", "host-a"], { env: ci });
    expect(save).toMatchObject({ code: 0, stdout: 'Saved deploy config "prod" for shop/web\n' });
    const update = await runCli(["config", "save", "prod", "--service", "shop/web", "--image", "registry.test/shop/web:10", "--server", "host-a"], { env: ci });
    expect(update.stdout).toBe('Updated deploy config "prod" for shop/web\n');
    const load = await runCli(["config", "load", "prod", "--service", "shop/web"], { env: ci });
    expect(load.stdout).toMatch(/^prod \(\S+\)\n  source:  image registry.test\/shop\/web:10\n  servers: host-a\n  updated: /);
    expect((await runCli(["config", "list", "--service", "shop/web"], { env: ci })).stdout).toMatch(/\nprod\s+image registry.test\/shop\/web:10\s+/);
    expect((await runCli(["config", "load", "nope", "--service", "shop/web"], { env: ci })).code).toBe(2);

    const calls = t.gateway.calls.length;
    const deploy = await runCli(["deploy", "--service", "shop/web", "--config", "prod"], { env: ci });
    expect(deploy.code).toBe(0);
    const releases = t.gateway.calls.slice(calls).filter((c) => c.kind === "release");
    expect(releases.map((c) => c.kind === "release" && c.serverId)).toEqual([t.servers["host-a"]]);
  });
});

describe("slipway servers", () => {
  it("prints the control plane's SSH key, and refuses an invalid host with exit code 2", async () => {
    expect((await runCli(["servers", "ssh-key"], { env: ci })).stdout).toMatch(/^ssh-ed25519 /);
    const invalid = await runCli(["servers", "adopt", "not a host!", "--name", "bad"], { env: ci });
    expect(invalid).toMatchObject({ code: 2, stderr: expect.stringContaining("host") });
  });

  it("adopts a host following the operation, and exits 1 when the agent cannot be installed", async () => {
    const run = await runCli(["servers", "adopt", "127.0.0.1", "--ssh-port", "1", "--name", "unreachable", "--json"], { env: ci });
    expect(run.code).toBe(1);
    const objects = jsonLines(run.stdout);
    expect(objects.filter((o) => o.type === "event").length).toBeGreaterThan(0);
    expect(objects.at(-1)).toMatchObject({ type: "summary", status: "FAILED", exitCode: 1 });
    expect((await runCli(["servers"], { env: ci })).stdout).toMatch(/\nunreachable\s+ERROR\s+SSH_HOST\s+127\.0\.0\.1/);
  });

  it("upgrades a server's agent by name, following the operation; an unknown name is a usage error", async () => {
    const run = await runCli(["servers", "upgrade-agent", "unreachable"], { env: ci });
    expect(run.code).toBe(1); // nothing listens on its SSH port
    expect(run.stdout).toMatch(/^Upgrade the agent on unreachable to (\S+): operation \S+\n/);
    expect(/ to (\S+): operation/.exec(run.stdout)?.[1]).toBe(expectedAgentVersion());
    const unknown = await runCli(["servers", "upgrade-agent", "no-such-server"], { env: ci });
    expect(unknown).toMatchObject({ code: 2, stderr: 'slipway: No server named "no-such-server"\n' });
  });
});

describe("slipway services delete", () => {
  it("says what it removes, then follows the removal from the servers it ran on", async () => {
    expect((await runCli(["projects", "create", "gone"], { env: ci })).code).toBe(0);
    expect((await runCli(["services", "create", "gone/api"], { env: ci })).code).toBe(0);
    expect((await runCli(["deploy", "--service", "gone/api", "--image", "registry.example/api:1", "--server", "host-a"], { env: ci })).code).toBe(0);
    const shopImages = t.gateway.images.get(t.servers["host-a"])!.filter((image) => image.service === "shop--web").length;

    const run = await runCli(["services", "delete", "gone/api", "--yes"], { env: ci });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("  on host-a: the gone--api containers, its nginx site and 1 image\n");
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^Delete gone\/api from 1 server: operation \S+$/);
    expect(lines.slice(1, -1).map((line) => line.replace(/^\d\d:\d\d:\d\d /, ""))).toEqual([
      "[host-a] check: host-a answers: 1 image of the service there",
      "[host-a] retire: host-a: nginx site removed, 1 container stopped and removed",
      "[host-a] images: host-a: removed 1 image, 1000 bytes reclaimed",
      "[slipway] forget: Deleted the service with its deployments, env vars, domains and deploy configs (100%)",
      "[slipway] finished: Succeeded (100%)",
    ]);
    expect(lines.at(-1)).toBe("Delete gone/api from 1 server: done");
    // Only its own images went.
    expect(t.gateway.images.get(t.servers["host-a"])!.filter((image) => image.service === "shop--web")).toHaveLength(shopImages);
    expect((await runCli(["services", "gone"], { env: ci })).stdout).not.toContain("api");
  });

  it("exits 1 naming the server when it cannot be reached, and keeps the service", async () => {
    expect((await runCli(["services", "create", "gone/worker"], { env: ci })).code).toBe(0);
    expect((await runCli(["deploy", "--service", "gone/worker", "--image", "registry.example/worker:1", "--server", "host-b"], { env: ci })).code).toBe(0);
    t.gateway.unreachable.add(t.servers["host-b"]);
    try {
      const run = await runCli(["services", "delete", "gone/worker", "--yes", "--json"], { env: ci });
      expect(run.code).toBe(1);
      expect(jsonLines(run.stdout).at(-1)).toMatchObject({
        type: "summary",
        status: "FAILED",
        error: expect.stringMatching(/^host-b could not be reached \(.+\): nothing was removed; delete it again once the server answers$/),
        exitCode: 1,
      });
    } finally {
      t.gateway.unreachable.delete(t.servers["host-b"]);
    }
    expect((await runCli(["services", "gone"], { env: ci })).stdout).toContain("worker");
  });
});

describe("slipway metrics", () => {
  afterEach(() => t.gateway.unreachable.clear());

  it("prints each server's current figures and the service's totals, and the same data with --json", async () => {
    const { deps } = t.server.app;
    // Collected twice (a rate is the difference of two collections), each in a slot of its own.
    deps.config.metrics.intervalMs = 1;
    for (const id of Object.values(t.servers)) {
      await deps.db.server.update({ where: { id }, data: { agentTokenCiphertext: "stand-in" } });
    }
    t.gateway.load.set(t.servers["host-a"], { cpuPercent: 35, sites: { "shop--web": { requestsPerSecond: 12, errorsPerSecond: 0.6, latencyMs: 40 } } });
    // host-b stays silent until the test ends (afterEach): were it to answer while the CLI runs,
    // the lost-server check (every 3 s) would mark it active again.
    t.gateway.unreachable.add(t.servers["host-b"]);
    for (let i = 0; i < 2; i++) {
      await collectMetrics(deps);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    const text = await runCli(["metrics", "shop/web"], { env: ci });
    expect(text.code, text.stderr).toBe(0);
    const [summary, header, a, b, policy] = text.stdout.trim().split("\n");
    expect(summary).toMatch(/^shop\/web: 2 servers, 12\.0 req\/s, 5xx 5\.0%, p50 35 ms, p95 49 ms \(last 60 s, collected \d+ s ago\)$/);
    expect(header).toMatch(/^SERVER\s+STATE\s+HOST CPU\s+SERVICE CPU\s+MEMORY\s+REQ\/S\s+5XX\s+P50\s+P95$/);
    expect(a).toMatch(/^host-a \(adopted\)\s+active\s+35%\s+-\s+-\s+12\.0\s+5\.0%\s+35 ms\s+49 ms$/);
    expect(b).toMatch(/^host-b \(adopted\)\s+unreachable since \S+\s+-/);
    expect(policy).toBe("Autoscaling: no policy.");

    const json = await runCli(["metrics", "shop/web", "--json"], { env: ci });
    const data = JSON.parse(json.stdout);
    expect(data.currentMetrics).toMatchObject({ requestsPerSecond: 12, errorRate: 0.05 });
    expect(data.currentMetrics.servers.map((s: { server: { name: string }; reachable: boolean }) => [s.server.name, s.reachable])).toEqual([["host-a", true], ["host-b", false]]);

    const unknown = await runCli(["metrics", "shop/nope"], { env: ci });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Project "shop" has no service named "nope"');
  });
});

describe("--help", () => {
  const commands = [[], ["login"], ["projects"], ["services"], ["servers"], ["servers", "list"], ["servers", "adopt"], ["servers", "ssh-key"], ["deploy"], ["rollback"], ["deployments"], ["cancel"], ["logs"], ["config"], ["config", "save"], ["config", "load"], ["config", "list"]];
  it.each(commands.map((c) => [c.join(" ") || "slipway", c]))("%s --help prints usage and exits 0", async (_name, command) => {
    const run = await runCli([...(command as string[]), "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: slipway/);
  });

  it("lists the exit codes and environment variables", async () => {
    const run = await runCli(["--help"]);
    expect(run.stdout).toContain("SLIPWAY_URL, SLIPWAY_TOKEN");
    expect(run.stdout).toMatch(/Exit codes:\n  0  success\n  1  .*\n  2  .*\n  3  .*\n  4  /);
  });
});
