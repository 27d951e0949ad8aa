// The built `slipway` CLI and the packed SDK against a real control plane that deploys over SSH to
// two real lab hosts (no RecordingGateway): deploy a folder, watch it in plain, terminal and JSON
// output, fail a deploy without disturbing what runs, roll back, and follow a deploy's events from
// a plain script using the installed package. Needs root, the lab's packages and a built agent.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/harness.js";
import {
  adoptHosts, bootHosts, containersOn, createProjectAndService, LAB_BASE_IMAGES_ENV, LAB_NETWORK_ENV, newLab, rawId, waitServing, type AdoptedHost,
} from "../../server/test/e2e-support.js";
import { isolatedEnv, removeTempDirs, runCli, runCliInTerminal, tempDir, type CliRun } from "./cli-process.js";

const exec = promisify(execFile);
const sdkDir = fileURLToPath(new URL("..", import.meta.url));
const suffix = randomBytes(3).toString("hex");
const LAB_NAMES = ["a", "b"].map((n) => `cli-lab-${n}-${suffix}`);
const SERVER_NAMES = ["host-a", "host-b"];
const SITE_HOST = "site.shop.slipway.internal";
const lab = newLab();
const booted: string[] = [];
let server: TestServer;
let dataDir: string;
let hosts: AdoptedHost[];
let addresses: string[];
let serviceId: string;
let ci: Record<string, string>;
/** The packed SDK, installed into a plain folder. */
let sdkUser: string | undefined;
let installed: Promise<void>;

/** Packs the SDK and installs the tarball into a temp project (as package.test.ts does). */
async function installPackedSdk(): Promise<void> {
  sdkUser = mkdtempSync(path.join(tmpdir(), "slipway-sdk-lab-user-"));
  await exec("npm", ["pack", "--pack-destination", sdkUser], { cwd: sdkDir });
  const tarball = readdirSync(sdkUser).find((file) => file.endsWith(".tgz"))!;
  writeFileSync(path.join(sdkUser, "package.json"), JSON.stringify({ name: "sdk-lab-user", private: true, type: "module" }));
  await exec("npm", ["install", "--no-audit", "--no-fund", `./${tarball}`], { cwd: sdkUser });
}

beforeAll(async () => {
  // Installing the package takes a while; it goes on while the hosts boot.
  installed = installPackedSdk();
  installed.catch(() => undefined);
  dataDir = mkdtempSync(path.join(tmpdir(), "slipway-cli-lab-"));
  // The default gateway: SSH to the hosts and their agents.
  server = await startTestServer({ ...LAB_BASE_IMAGES_ENV, ...LAB_NETWORK_ENV }, dataDir);
  const bootedAddresses = await bootHosts(lab, LAB_NAMES, server.app.deps.connections.identity().publicKey, booted);
  hosts = await adoptHosts(server, LAB_NAMES.map((labName, i) => ({ lab: labName, name: SERVER_NAMES[i]!, address: bootedAddresses[i]! })));
  addresses = hosts.map((h) => h.address);
  serviceId = (await createProjectAndService(server, "shop", [{ name: "site", port: 8080 }])).services.site!;
  ci = isolatedEnv({ SLIPWAY_URL: server.url, SLIPWAY_TOKEN: server.adminToken });
}, 240_000);

afterAll(async () => {
  await server?.stop();
  // Only this file's hosts: the default lab is shared with other runs.
  await Promise.all(booted.map((name) => lab.destroy(name).catch(() => undefined)));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (sdkUser) rmSync(sdkUser, { recursive: true, force: true });
  removeTempDirs();
}, 120_000);

/** A folder holding the given files. */
function appDir(files: Record<string, string>): string {
  const dir = tempDir("slipway-lab-app-");
  for (const [name, contents] of Object.entries(files)) writeFileSync(path.join(dir, name), contents);
  return dir;
}

const site = (version: string) => appDir({ "index.html": `<h1>site ${version}</h1>\n` });
const jsonLines = (stdout: string) => stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, any>);
const deploymentIdOf = (run: CliRun) => /deployment (\S+), operation/.exec(run.stdout)![1]!;
const operationIdOf = (run: CliRun) => /, operation (\S+)/.exec(run.stdout)![1]!;
const show = (run: CliRun) => `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;

/** What the server stored for an operation: its last seq and its events' seqs. */
async function storedSeqs(operationId: string): Promise<{ lastSeq: number; seqs: number[] }> {
  const result = await server.gql(
    `query($id: ID!) { node(id: $id) { ... on Operation { lastSeq events(first: 500) { seq } } } }`,
    { id: operationId },
    server.adminToken,
  );
  const node = result.data.node as { lastSeq: number; events: { seq: number }[] };
  return { lastSeq: node.lastSeq, seqs: node.events.map((e) => e.seq) };
}

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("the CLI deploys to real hosts", { timeout: 90_000 }, () => {
  let v1: string;

  it("deploys the current folder (a static site) with plain lines per event, and exits 0", async () => {
    const run = await runCli(["deploy", "--service", "shop/site", "--server", "host-a", "--server", "host-b"], { env: ci, cwd: site("v1") });
    expect(run.code, show(run)).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).not.toContain("\x1b[");
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^Deploying shop\/site: deployment \S+, operation \S+$/);
    expect(lines.at(-1)).toMatch(/^Deployed shop\/site: slipway\/shop-site:deploy_[0-9a-f]{8} is live \(deployment \S+\)$/);
    // One line per event the server stored, no more and no fewer.
    const eventLines = lines.slice(1, -1);
    expect(eventLines.every((line) => /^\d\d:\d\d:\d\d( (WARN|ERROR|DEBUG))? \[(slipway|host-a|host-b)\] [\w-]+( \([a-z]+\))?: /.test(line)), eventLines.join("\n")).toBe(true);
    expect(eventLines).toHaveLength((await storedSeqs(operationIdOf(run))).lastSeq);
    // Built once, on one of the hosts, and copied to the other.
    expect(eventLines).toContainEqual(expect.stringMatching(/^\S+ \[host-[ab]\] build: Building slipway\/shop-site:deploy_\w+ \(archive .*a generated Dockerfile for static\)$/));
    expect(eventLines.filter((line) => /\] image: Copying /.test(line))).toHaveLength(1);
    for (const name of SERVER_NAMES) {
      expect(eventLines).toContainEqual(expect.stringMatching(new RegExp(`^\\S+ \\[${name}\\] release \\(switched\\): nginx routes .*\\(80%\\)$`)));
    }
    expect(await waitServing(addresses, SITE_HOST, /<h1>site v1<\/h1>/)).toEqual(["<h1>site v1</h1>\n", "<h1>site v1</h1>\n"]);
    v1 = deploymentIdOf(run);
  });

  it("deploys v2 on a terminal, redrawing one line per server and step in place", async () => {
    // No --server: the servers already running the service.
    const run = await runCliInTerminal(["deploy", "--service", "shop/site"], { env: ci, cwd: site("v2") });
    expect(run.code, show(run)).toBe(0);
    const out = run.stdout.replaceAll("\r\n", "\n");
    const frames = out.split(/\x1b\[\d+A/);
    expect(frames.length).toBeGreaterThan(5);
    const finalFrame = frames.at(-1)!.split("\n").filter((line) => line.startsWith("\r\x1b[2K")).map((line) => line.slice(5));
    const rows = finalFrame.map((line) => line.split(/\s+/).slice(0, 3).join(" "));
    // Every row is settled (+), each server and step once.
    expect(new Set(rows).size, finalFrame.join("\n")).toBe(rows.length);
    expect(rows.every((row) => row.startsWith("+ ")), finalFrame.join("\n")).toBe(true);
    expect(rows).toEqual(expect.arrayContaining(["+ host-a Release", "+ host-b Release", "+ slipway Traffic"]));
    expect(rows.filter((row) => /^\+ host-[ab] Build$/.test(row))).toHaveLength(1);
    for (const name of SERVER_NAMES) {
      // v1's container drained and was paused as the standby: each release ends "serving, old one stopped".
      expect(finalFrame, finalFrame.join("\n")).toContainEqual(
        expect.stringMatching(new RegExp(`^\\+ ${name}\\s+Release \\(serving, old one stopped\\)\\s+\\[##########\\] 100%  paused slip`)),
      );
    }
    expect(out).toMatch(/Deployed shop\/site: slipway\/shop-site:deploy_[0-9a-f]{8} is live/);
    expect(await waitServing(addresses, SITE_HOST, /<h1>site v2<\/h1>/)).toHaveLength(2);
  });

  it("a deploy whose container exits at once: --json events, exit 1, and v2 still served on both hosts", async () => {
    const before = await Promise.all(LAB_NAMES.map((name) => containersOn(lab, name)));
    const dir = appDir({ Dockerfile: 'FROM slipway-lab/busybox:latest\nCMD ["sh", "-c", "echo giving up; exit 3"]\n' });
    const run = await runCli(["deploy", "--service", "shop/site", "--json"], { env: ci, cwd: dir });
    expect(run.code, show(run)).toBe(1);
    const objects = jsonLines(run.stdout);
    expect(objects[0]).toMatchObject({ type: "started", kind: "deploy", service: "shop/site" });
    const events = objects.filter((o) => o.type === "event");
    expect(events.map((e) => e.seq)).toEqual(oneToN((await storedSeqs(objects[0]!.operationId)).lastSeq));
    // Each host saw the container exit (with its last words), without waiting out the 30 s health check.
    const failures = events.filter((e) => e.releaseState === "FAILED");
    expect(failures.map((e) => e.serverId).sort(), JSON.stringify(events.filter((e) => e.level !== "DEBUG"))).toEqual(hosts.map((h) => h.id).sort());
    for (const failure of failures) expect(failure.message).toMatch(/never became healthy: container exited .*before it became healthy; last log lines:\ngiving up/);
    expect(Date.parse(events.at(-1)!.createdAt) - Date.parse(events[0]!.createdAt)).toBeLessThan(20_000);
    const summary = objects.at(-1)!;
    expect(summary).toMatchObject({ type: "summary", status: "FAILED", exitCode: 1, deploymentId: objects[0]!.deploymentId });
    expect(summary.targets.map((t: { state: string }) => t.state)).toEqual(["FAILED", "FAILED"]);
    expect(await waitServing(addresses, SITE_HOST, /<h1>site v2<\/h1>/, 2_000)).toHaveLength(2);
    // The broken container is gone; what ran before runs on.
    expect(await Promise.all(LAB_NAMES.map((name) => containersOn(lab, name)))).toEqual(before);
  });

  it("rolls back to v1 and exits 0; v1 is served on both hosts", async () => {
    const run = await runCli(["rollback", v1], { env: ci });
    expect(run.code, show(run)).toBe(0);
    expect(run.stdout).toMatch(/^Rolling back shop\/site: deployment /);
    expect(run.stdout).toMatch(/\[host-a\] release \(switched\): /);
    expect(run.stdout).not.toMatch(/\] build: /);
    expect(run.stdout.trim().split("\n").at(-1)).toMatch(/^Rolled back shop\/site: slipway\/shop-site:deploy_[0-9a-f]{8} is live/);
    expect(await waitServing(addresses, SITE_HOST, /<h1>site v1<\/h1>/, 5_000)).toHaveLength(2);
    const deployments = JSON.parse((await runCli(["deployments", "--service", "shop/site", "--json"], { env: ci })).stdout) as { status: string; restored: { id: string } | null }[];
    expect(deployments.map((d) => d.status)).toEqual(["SUCCEEDED", "FAILED", "SUCCEEDED", "SUCCEEDED"]);
    expect(deployments[0]!.restored?.id).toBe(v1);
  });
});

describe("the packed SDK from a plain script", { timeout: 150_000 }, () => {
  it("uploads a folder's archive, follows the deploy's operationEvents and sees every event the server stored", async () => {
    await installed;
    const archive = path.join(tempDir("slipway-lab-archive-"), "site-v3.tar.gz");
    await exec("tar", ["-czf", archive, "-C", site("v3"), "."]);
    writeFileSync(
      path.join(sdkUser!, "deploy-and-follow.mjs"),
      `import { readFileSync } from "node:fs";
import { createClient } from "@slipway/sdk/client";
import { DeployDocument } from "@slipway/sdk";
const [url, token, serviceId, archivePath] = process.argv.slice(2);
const client = createClient({ url, token });
const archive = new File([readFileSync(archivePath)], "site-v3.tar.gz", { type: "application/gzip" });
const result = await client.upload(DeployDocument, { input: { serviceId, source: { type: "ARCHIVE" } } }, { archive });
if (result.deploy.__typename !== "MutationDeploySuccess") throw new Error(JSON.stringify(result.deploy));
const { deployment, operation } = result.deploy.data;
const events = [];
for await (const event of client.operationEvents(operation.id)) events.push(event);
await client.close();
console.log(JSON.stringify({ deploymentId: deployment.id, operationId: operation.id, events }));
`,
    );
    const { stdout } = await exec(process.execPath, ["deploy-and-follow.mjs", server.url, server.adminToken, serviceId, archive], { cwd: sdkUser });
    const { operationId, events } = JSON.parse(stdout) as { operationId: string; events: { seq: number; step: string; message: string }[] };
    const stored = await storedSeqs(operationId);
    expect(stored.seqs).toEqual(oneToN(stored.lastSeq));
    expect(events.map((e) => e.seq)).toEqual(stored.seqs);
    expect(events.at(-1)).toMatchObject({ step: "finished", message: "Succeeded" });
    expect(await waitServing(addresses, SITE_HOST, /<h1>site v3<\/h1>/, 5_000)).toHaveLength(2);
    const rows = await server.app.deps.db.serviceServer.findMany({ where: { serviceId: rawId(serviceId) } });
    expect(rows).toHaveLength(2);
  });
});
