// The CLI's first hour, as subprocesses against a real control plane: the account commands,
// project/service lifecycles, env and domains, `open`, colour on a terminal only, --json errors,
// a folder too big for the server refused before sending, and the console's address recognised.
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, startTestServer, type TestServer } from "../../server/test/harness.js";
import { RecordingGateway } from "../../server/test/recording-gateway.js";
import { cliTokenName } from "../src/cli/commands/login.js";
import { isolatedEnv, removeTempDirs, runCli, runCliInTerminal, tempDir } from "./cli-process.js";

const ARCHIVE_LIMIT = 200 * 1024;
let server: TestServer;
let ci: Record<string, string>;

beforeAll(async () => {
  // The recording gateway stands in for SSH and the agents, as in cli.test.ts.
  server = await startTestServer(
    { SLIPWAY_ARCHIVE_MAX_BYTES: String(ARCHIVE_LIMIT), SLIPWAY_CONSOLE_URL: "http://console.test:3000" },
    undefined,
    { servers: new RecordingGateway() },
  );
  ci = isolatedEnv({ SLIPWAY_URL: server.url, SLIPWAY_TOKEN: server.adminToken });
});
afterAll(async () => {
  await server?.stop();
  removeTempDirs();
});

const ESC = "\x1b[";
const terminalEnv = (extra: Record<string, string> = {}) => ({ ...ci, TERM: "xterm-256color", ...extra });

describe("account", () => {
  it("prints its version", async () => {
    const run = await runCli(["--version"]);
    expect(run).toMatchObject({ code: 0, stdout: "0.1.0\n" });
  });

  it("logs in with one expiring token per machine, says who it is, and logout revokes the token", async () => {
    const env = isolatedEnv();
    for (let i = 0; i < 2; i++) {
      expect((await runCli(["login", server.url, "--email", ADMIN.email], { env, input: `${ADMIN.password}\n` })).code).toBe(0);
    }
    const tokens = await server.app.deps.db.apiToken.findMany({ where: { name: cliTokenName(ADMIN.email) } });
    expect(tokens).toHaveLength(2);
    const live = tokens.filter((t) => !t.revokedAt);
    expect(live).toHaveLength(1);
    const days = (live[0]!.expiresAt!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThanOrEqual(90);

    const whoami = await runCli(["whoami"], { env });
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toContain(`<${ADMIN.email}> (admin) on ${server.url}`);
    const json = JSON.parse((await runCli(["whoami", "--json"], { env })).stdout);
    expect(json).toMatchObject({ email: ADMIN.email, role: "ADMIN", url: server.url });

    const logout = await runCli(["logout"], { env });
    expect(logout).toMatchObject({ code: 0, stdout: `Logged out of ${server.url}; its token is revoked.\n` });
    expect((await server.app.deps.db.apiToken.findUniqueOrThrow({ where: { id: live[0]!.id } })).revokedAt).not.toBeNull();
    expect((await runCli(["whoami"], { env })).code).toBe(3);
  });
});

describe("projects and services", () => {
  it("creates, changes, renames and deletes them, asking before deleting", async () => {
    expect((await runCli(["projects", "create", "blog", "--description", "Words"], { env: ci })).stdout).toBe(
      "Created project blog. Next: slipway services create blog/web\n",
    );
    const created = await runCli(["services", "create", "blog/web", "--port", "8080", "--health-check", "/up"], { env: ci });
    expect(created).toMatchObject({ code: 0, stdout: "Created blog/web. Next: slipway deploy --service blog/web\n" });
    const set = await runCli(["services", "set", "blog/web", "--health-timeout", "60", "--health-interval", "500", "--drain", "5"], { env: ci });
    expect(set.stdout).toBe("Updated blog/web: port 8080, health check /up every 500 ms within 60 s, drain 5 s. It takes effect with the next deploy.\n");
    const badDrain = await runCli(["services", "set", "blog/web", "--drain", "forever"], { env: ci });
    expect(badDrain).toMatchObject({ code: 2, stderr: 'slipway: --drain takes whole seconds (got "forever")\n' });
    const refused = await runCli(["services", "set", "blog/web", "--drain", "3601", "--health-interval", "10"], { env: ci });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("healthCheckIntervalMs: must be at least 25 ms");
    expect(refused.stderr).toContain("drainTimeoutSeconds: must be at most 3600 seconds");
    expect((await runCli(["services", "rename", "blog/web", "site"], { env: ci })).stdout).toBe("Renamed blog/web to blog/site\n");
    expect((await runCli(["projects", "rename", "blog", "journal"], { env: ci })).stdout).toBe("Renamed project blog to journal\n");
    expect((await runCli(["services", "journal"], { env: ci })).stdout).toMatch(/\nsite\s+8080\s+ARCHIVE\s+\/up\s+/);

    // Without a terminal and without --yes nothing is deleted.
    const unconfirmed = await runCli(["services", "delete", "journal/site"], { env: ci });
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("Refusing to delete journal/site without confirmation: add --yes");
    expect(unconfirmed.stderr).toContain("(nothing on servers: it was never deployed)");
    const refusedProject = await runCli(["projects", "delete", "journal", "--yes"], { env: ci });
    expect(refusedProject).toMatchObject({ code: 1 });
    expect(refusedProject.stderr).toContain('The project "journal" still has services (site): delete them first');

    // On a terminal, typing the name confirms.
    const typed = await runCliInTerminal(["services", "delete", "journal/site"], { env: terminalEnv(), input: "journal/site\r", inputAfter: "to delete journal/site: " });
    expect(typed.code).toBe(0);
    expect(typed.stdout).toContain("Deleted journal/site");
    const deleted = JSON.parse((await runCli(["projects", "delete", "journal", "--yes", "--json"], { env: ci })).stdout);
    expect(deleted).toEqual({ id: expect.any(String), name: "journal" });
  });
});

describe("env and domains", () => {
  beforeAll(async () => {
    await runCli(["projects", "create", "env-test"], { env: ci });
    await runCli(["services", "create", "env-test/api"], { env: ci });
  });

  it("sets plain values and secrets (from stdin or a file), lists them without secret values, and unsets", async () => {
    const secret = "postgres://user:s3cr3t-value@db/api";
    expect((await runCli(["env", "set", "env-test/api", "NODE_ENV=production", "GREETING=a=b"], { env: ci })).code).toBe(0);
    const fromStdin = await runCli(["env", "set", "env-test/api", "--secret", "DATABASE_URL"], { env: ci, input: `${secret}\n` });
    expect(fromStdin).toMatchObject({ code: 0, stdout: "Set DATABASE_URL on env-test/api. It takes effect with the next deploy.\n" });
    const file = path.join(tempDir("slipway-cli-secret-"), "key");
    writeFileSync(file, "file-secret-value\n");
    expect((await runCli(["env", "set", "env-test/api", "--secret", "API_KEY", "--from-file", file], { env: ci })).code).toBe(0);

    const list = await runCli(["env", "list", "env-test/api"], { env: ci });
    expect(list.stdout).toBe(["KEY           VALUE", "API_KEY       (secret)", "DATABASE_URL  (secret)", "GREETING      a=b", "NODE_ENV      production", ""].join("\n"));
    expect(list.stdout + fromStdin.stdout + fromStdin.stderr).not.toContain("s3cr3t");
    // Stored secrets survive a later change: the CLI never had them to resend.
    expect((await runCli(["env", "unset", "env-test/api", "GREETING"], { env: ci })).code).toBe(0);
    const service = await server.app.deps.db.service.findFirstOrThrow({ where: { name: "api", project: { name: "env-test" } }, include: { envVars: true } });
    const values = Object.fromEntries(service.envVars.map((v) => [v.key, server.app.deps.secrets.decrypt(v.ciphertext, "service-env")]));
    expect(values).toEqual({ API_KEY: "file-secret-value", DATABASE_URL: secret, NODE_ENV: "production" });

    const missing = await runCli(["env", "unset", "env-test/api", "NOPE"], { env: ci });
    expect(missing).toMatchObject({ code: 2, stderr: "slipway: env-test/api has no variable NOPE\n" });
    const json = await runCli(["env", "list", "env-test/nope", "--json"], { env: ci });
    expect(JSON.parse(json.stdout)).toEqual({ type: "error", message: 'Project "env-test" has no service named "nope"', exitCode: 2, reason: "USAGE" });
  });

  it("sets domains from what people paste (https://, trailing /) and lists them", async () => {
    const set = await runCli(["domains", "set", "env-test/api", "https://API.example.com/", "www.example.com"], { env: ci });
    expect(set).toMatchObject({ code: 0, stdout: "Domains of env-test/api: api.example.com, www.example.com. DNS records and certificates follow at the next deploy.\n" });
    const list = await runCli(["domains", "list", "env-test/api"], { env: ci });
    expect(list.stdout).toMatch(/^HOSTNAME\s+LIVE\s+DNS\s+CERTIFICATE\napi\.example\.com\s+not yet\s+not yet\s+-\nwww\.example\.com/);
    expect((await runCli(["domains", "set", "env-test/api", "--none"], { env: ci })).stdout).toContain("Domains of env-test/api: none.");
  });

  it("prints the console page of a service", async () => {
    const open = await runCli(["open", "env-test/api"], { env: ci });
    expect(open.code).toBe(0);
    expect(open.stdout).toBe("http://console.test:3000/projects/env-test/services/api\n");
  });
});

describe("output", () => {
  it("colours errors on a terminal only, and never with NO_COLOR", async () => {
    const coloured = await runCliInTerminal(["services", "nope"], { env: terminalEnv() });
    expect(coloured.code).toBe(2);
    expect(coloured.stdout).toContain(`${ESC}31m${ESC}1mslipway:${ESC}22m${ESC}39m No project named "nope"`);
    const noColour = await runCliInTerminal(["services", "nope"], { env: terminalEnv({ NO_COLOR: "1" }) });
    expect(noColour.stdout).toContain('slipway: No project named "nope"');
    expect(noColour.stdout).not.toContain(ESC);
    const piped = await runCli(["services", "nope"], { env: ci });
    expect(piped.stderr).toBe('slipway: No project named "nope"\n');
  });

  it("an unknown but well-formed id is not found (exit 2), not an unexpected error", async () => {
    const unknown = Buffer.from("Deployment:00000000-0000-4000-8000-000000000000").toString("base64");
    const logs = await runCli(["logs", unknown], { env: ci });
    expect(logs).toMatchObject({ code: 2, stderr: `slipway: No deployment or operation has the id "${unknown}"\n` });
  });

  it("a failed deploy --json prints a JSON error object on stdout", async () => {
    const run = await runCli(["deploy", "--service", "nope/web", "--image", "x:1", "--json"], { env: ci });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({ type: "error", message: 'No project named "nope"', exitCode: 2, reason: "USAGE" });
  });

  it("refuses a folder over the server's limit before sending it, naming both sizes and .slipwayignore", async () => {
    const dir = tempDir("slipway-cli-big-");
    // Random bytes do not compress: the archive ends up over the limit.
    writeFileSync(path.join(dir, "blob.bin"), Buffer.from(Array.from({ length: 400 * 1024 }, () => Math.floor(Math.random() * 256))));
    writeFileSync(path.join(dir, "index.html"), "hi");
    const before = await server.app.deps.db.deployment.count();
    const noServer = await runCli(["deploy", "--service", "env-test/api", "--dir", dir], { env: ci });
    expect(noServer).toMatchObject({ code: 2, stderr: expect.stringContaining("There are no servers to deploy to yet") });
    await server.app.deps.db.server.create({ data: { name: "cli-host", kind: "SSH_HOST", status: "ACTIVE", managed: false } });
    expect((await runCli(["deploy", "--service", "env-test/api", "--dir", dir], { env: ci })).stderr).toContain(
      "env-test/api runs on no server yet: choose where with --server <name>",
    );
    const run = await runCli(["deploy", "--service", "env-test/api", "--dir", dir, "--server", "cli-host"], { env: ci });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`${dir} packs to 4\\d\\d\\.\\d kB, over this server's upload limit of 204\\.8 kB; nothing was sent\\.`));
    expect(run.stderr).toContain(".slipwayignore");
    expect(await server.app.deps.db.deployment.count()).toBe(before);

    // Ignored, it fits: packed, checked and uploaded, with progress on a terminal.
    writeFileSync(path.join(dir, ".slipwayignore"), "blob.bin\n");
    const fits = await runCliInTerminal(["deploy", "--service", "env-test/api", "--dir", dir, "--server", "cli-host"], { env: terminalEnv() });
    expect(fits.stdout).toContain("Packing 2 files and folders");
    expect(fits.stdout).toMatch(/Uploaded \d+ B/);
    expect(await server.app.deps.db.deployment.count()).toBe(before + 1);
  });

  it("tables show short deployment ids, and logs takes them (rollback resolves them the same way)", async () => {
    const json = JSON.parse((await runCli(["deployments", "--service", "env-test/api", "--json"], { env: ci })).stdout) as { id: string }[];
    const short = Buffer.from(json[0]!.id, "base64").toString().split(":")[1]!.slice(0, 8);
    const table = await runCli(["deployments", "--service", "env-test/api"], { env: ci });
    expect(table.stdout).toMatch(new RegExp(`^ID\\s+STATUS.*\n${short}\\s+SUCCEEDED\\s+ARCHIVE`));
    const logs = await runCli(["logs", short], { env: ci });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/\[cli-host\] release \(switched\): /);
    const unknown = await runCli(["logs", "ffffffff"], { env: ci });
    expect(unknown).toMatchObject({ code: 2, stderr: 'slipway: No deployment has an id starting with "ffffffff"\n' });
  });

  it("has examples in every command's --help", async () => {
    const commands = [
      [], ["login"], ["whoami"], ["logout"], ["projects"], ["projects", "create"], ["projects", "rename"], ["projects", "delete"],
      ["services"], ["services", "list"], ["services", "create"], ["services", "set"], ["services", "rename"], ["services", "delete"],
      ["env"], ["env", "list"], ["env", "set"], ["env", "unset"], ["domains"], ["domains", "list"], ["domains", "set"], ["open"],
      ["servers", "list"], ["servers", "ssh-key"], ["servers", "adopt"], ["servers", "upgrade-agent"], ["deploy"], ["rollback"], ["deployments"], ["logs"],
      ["config", "save"], ["config", "load"], ["config", "list"],
    ];
    for (const command of commands) {
      const help = await runCli([...command, "--help"]);
      expect(help.code, command.join(" ")).toBe(0);
      expect(help.stdout, command.join(" ")).toMatch(/\nExamples:\n  \$ slipway /);
    }
  }, 120_000);

  it("says so when pointed at the web console instead of the API", async () => {
    const page = `<!DOCTYPE html><html><head><meta name="slipway-api-url" content="${server.url}"/><script src="/_next/static/x.js"></script></head><body></body></html>`;
    const consoleLike: Server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(page));
    await new Promise<void>((resolve) => consoleLike.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(consoleLike.address() as { port: number }).port}`;
      const run = await runCli(["login", url, "--token", server.adminToken], { env: isolatedEnv() });
      expect(run.code).toBe(4);
      expect(run.stderr).toBe(`slipway: ${url}/graphql is Slipway's web console, not its API: the API is at ${server.url}\n`);
    } finally {
      await new Promise((resolve) => consoleLike.close(resolve));
    }
  });
});
