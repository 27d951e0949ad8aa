// The compiled control plane as production runs it (`node dist/main.js`, built here by
// scripts/build.ts): a refused configuration is one line and exit status 78; SIGTERM and SIGINT
// stop it gracefully — an operation still running after the grace period is handed over, and the
// next start recovers it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../scripts/build.js";
import { ADMIN } from "./harness.js";

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
let main: string;
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  const { outdir } = await buildServer();
  main = path.join(outdir, "main.js");
  dataDir = mkdtempSync(path.join(tmpdir(), "slipway-main-"));
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ["--enable-source-maps", main], {
    cwd: serverDir,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/root", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, url: "", output: () => output, exited };
}

/** Starts the compiled server on SQLite in the test's data folder and waits until it listens. */
async function start(extraEnv: Record<string, string> = {}): Promise<Started> {
  const started = run({
    PORT: "0",
    HOST: "127.0.0.1",
    SLIPWAY_DATA_DIR: dataDir,
    SLIPWAY_ADMIN_EMAIL: ADMIN.email,
    SLIPWAY_ADMIN_PASSWORD: ADMIN.password,
    SLIPWAY_OPERATION_LEASE_SECONDS: "2",
    ...extraEnv,
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+\/graphql)"/.exec(started.output())?.[1];
    if (url) return { ...started, url };
    if (started.child.exitCode !== null) throw new Error(`the server exited at start:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server did not listen within 90 s:\n${started.output()}`);
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> {
  const response = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.body.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function login(url: string): Promise<string> {
  const data = await gql(url, `mutation($input: LoginInput!) { login(input: $input) { ... on MutationLoginSuccess { data { token } } } }`, {
    input: { email: ADMIN.email, password: ADMIN.password },
  });
  return data.login.data.token;
}

describe("a refused configuration", () => {
  it("is one line on stderr and exit status 78, without a stack trace, before anything starts", async () => {
    const sqliteCluster = run({ SLIPWAY_DATA_DIR: dataDir, SLIPWAY_REDIS_URL: "redis://127.0.0.1:1", SLIPWAY_SECRET_KEY: "x".repeat(64) });
    expect(await sqliteCluster.exited).toEqual({ code: 78, signal: null });
    expect(sqliteCluster.output()).toBe(
      "Invalid configuration: cluster mode (SLIPWAY_REDIS_URL) needs PostgreSQL: set DATABASE_URL=postgresql://… (SQLite is one process's file)\n",
    );

    const badPort = run({ SLIPWAY_DATA_DIR: dataDir, PORT: "eighty" });
    expect(await badPort.exited).toEqual({ code: 78, signal: null });
    expect(badPort.output()).toBe("Invalid configuration: PORT: Invalid input: expected number, received NaN\n");

    const badDatabase = run({ SLIPWAY_DATA_DIR: dataDir, DATABASE_URL: "mysql://db/slipway" });
    expect(await badDatabase.exited).toEqual({ code: 78, signal: null });
    expect(badDatabase.output()).toBe("Invalid configuration: DATABASE_URL: must start with file: (SQLite) or postgresql:// (PostgreSQL)\n");
  });
});

describe("signals", () => {
  let silent: Server;
  let silentPort: number;

  beforeAll(async () => {
    // Accepts TCP and never speaks SSH: an adoption of this "host" keeps running until SSH gives up.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(() => silent.close());

  it("SIGTERM after the grace period hands a running operation over; the next start recovers it; SIGINT stops too", async () => {
    const first = await start({ SLIPWAY_SHUTDOWN_GRACE_SECONDS: "1", SLIPWAY_ALLOW_PRIVATE_TARGETS: "1" });
    const token = await login(first.url);
    const adopted = await gql(
      first.url,
      `mutation($input: AdoptServerInput!) { adoptServer(input: $input) { __typename ... on MutationAdoptServerSuccess { data { id } } ... on Error { message } } }`,
      { input: { name: "silent", host: "127.0.0.1", sshPort: silentPort } },
      token,
    );
    const operationId = adopted.adoptServer.data?.id as string;
    expect(operationId, JSON.stringify(adopted)).toBeTruthy();
    const status = async (url: string) =>
      (await gql(url, `query($id: ID!) { node(id: $id) { ... on Operation { status } } }`, { id: operationId }, token)).node.status as string;
    while ((await status(first.url)) !== "RUNNING") await new Promise((resolve) => setTimeout(resolve, 100));

    first.child.kill("SIGTERM");
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.output()).toMatch(/"signal":"SIGTERM".*"msg":"stopping/);
    expect(first.output()).toMatch(/"handedOver":1.*"msg":"handed running operations over/);
    await expect(request(first.url, { method: "POST" })).rejects.toThrow(/ECONNREFUSED/);

    const second = await start();
    const deadline = Date.now() + 30_000;
    while ((await status(second.url)) === "RUNNING" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await status(second.url)).toBe("INTERRUPTED");

    second.child.kill("SIGINT");
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.output()).toMatch(/"signal":"SIGINT".*"msg":"stopping/);
    expect(second.output()).toMatch(/"msg":"stopped"/);
  }, 180_000);
});
