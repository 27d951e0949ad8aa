// Adopting servers end to end: the real GraphQL API, a real lab host (sshd, dockerd, nginx), the
// real agent bundle (agent/dist) installed over SSH and answering through the tunnel.
import { spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Lab } from "@slipway/lab/hosts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedAgentVersion } from "../src/domain/servers/agent-release.js";
import { AGENT_TOKEN_PURPOSE } from "../src/domain/servers/server-connections.js";
import { SshServerGateway } from "../src/domain/servers/ssh-server-gateway.js";
import { LAB_NETWORK_ENV } from "./e2e-support.js";
import { collect, startTestServer, type TestServer } from "./harness.js";

const BASE_IMAGE = { id: "debian-12-x64", archivePath: null };
const suffix = randomBytes(3).toString("hex");
const HOST = `ssh-a-${suffix}`;
const CUT = `ssh-c-${suffix}`;
const lab = new Lab({ instance: "srv-servers" });
const booted: string[] = [];
let server: TestServer;
let dataDir: string;
let address: string;

const EVENTS = `subscription($id: ID!) { operationEvents(operationId: $id) { seq step level message serverId } }`;
const ADOPT = `mutation($input: AdoptServerInput!) { adoptServer(input: $input) {
  __typename
  ... on MutationAdoptServerSuccess { data { id kind status title } }
  ... on Error { message }
  ... on ValidationError { fieldErrors { path message } }
} }`;
const UPGRADE = `mutation($id: ID!) { upgradeAgent(id: $id) {
  __typename
  ... on MutationUpgradeAgentSuccess { data { id kind status } }
  ... on Error { message }
} }`;
const SERVER_FIELDS = `id name kind status statusReason publicIpv4 sshPort sshUser managed agentVersion expectedAgentVersion agentOutdated hostKeyFingerprint lastSeenAt`;

interface Event {
  seq: number;
  step: string;
  level: string;
  message: string;
  serverId: string | null;
}

async function boot(name: string): Promise<string> {
  const publicKey = server.app.deps.connections.identity().publicKey;
  booted.push(name);
  try {
    return (await lab.boot({ name, image: BASE_IMAGE, sshPublicKeys: [publicKey] })).ipv4;
  } catch {
    // A lab boot now and then loses a race with its image import; once more is enough.
    return (await lab.boot({ name, image: BASE_IMAGE, sshPublicKeys: [publicKey] })).ipv4;
  }
}

async function adopt(input: Record<string, unknown>) {
  return server.gql(ADOPT, { input }, server.adminToken);
}

/** Follows the operation to its end over the real subscription; returns its events. */
async function follow(operationGlobalId: string): Promise<Event[]> {
  const result = await collect<{ operationEvents: Event }>(server.ws(server.adminToken), EVENTS, { id: operationGlobalId }).done;
  expect(result.errors).toEqual([]);
  return result.values.map((v) => v.operationEvents);
}

async function serverByName(name: string) {
  const result = await server.gql(`{ servers(first: 50) { totalCount edges { node { ${SERVER_FIELDS} } } } }`, {}, server.adminToken);
  return result.data.servers.edges.map((e: { node: { name: string } }) => e.node).find((s: { name: string }) => s.name === name);
}

function dbRow(name: string) {
  return server.app.deps.db.server.findUniqueOrThrow({ where: { name } });
}

describe("adopting a server", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "slipway-servers-"));
    await lab.teardown();
    server = await startTestServer(LAB_NETWORK_ENV, dataDir);
    address = await boot(HOST);
  }, 180_000);

  afterAll(async () => {
    if (server) {
      await server.stop();
    }
    await lab.teardown();
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it("shows the control plane's public key to put in authorized_keys", async () => {
    const result = await server.gql(`{ sshPublicKey }`, {}, server.adminToken);
    expect(result.data.sshPublicKey).toBe(server.app.deps.connections.identity().publicKey);
    expect(result.data.sshPublicKey).toMatch(/^ssh-ed25519 /);
    // The private half lives only in the database, encrypted: no key file, no clear text stored.
    expect(existsSync(path.join(dataDir, "ssh", "id_ed25519"))).toBe(false);
    const privateBody = server.app.deps.connections.identity().privateKey.split("\n")[1]!;
    expect((await server.storedBytes()).includes(Buffer.from(privateBody))).toBe(false);
  });

  it("refuses bad input with field errors and changes nothing", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "Bad Name", host: address }, "name"],
      [{ name: "ok-name", host: "10.0.0.999" }, "host"],
      [{ name: "ok-name", host: "-oProxyCommand=sh" }, "host"],
      [{ name: "ok-name", host: "a b" }, "host"],
      [{ name: "ok-name", host: address, sshPort: 70000 }, "sshPort"],
      [{ name: "ok-name", host: address, sshUser: "root;id" }, "sshUser"],
    ];
    for (const [input, field] of cases) {
      const result = await adopt(input);
      expect(result.data.adoptServer.__typename, JSON.stringify(input)).toBe("ValidationError");
      expect(result.data.adoptServer.fieldErrors.map((f: { path: string[] }) => f.path.join("."))).toContain(field);
    }
    expect(await server.app.deps.db.server.count()).toBe(0);
    expect(await server.app.deps.db.operation.count({ where: { kind: "ADOPT" } })).toBe(0);
  });

  it("needs the servers:write scope to adopt, and read to list", async () => {
    const created = await server.gql(
      `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { ... on MutationCreateApiTokenSuccess { data { token } } } }`,
      { input: { name: "reader", scopes: ["read"] } },
      server.adminToken,
    );
    const reader = created.data.createApiToken.data.token;
    const refused = await server.gql(ADOPT, { input: { name: "ok-name", host: address } }, reader);
    expect(refused.errors?.[0]).toMatchObject({ message: 'Not allowed: this needs the scope "servers:write"', extensions: { code: "FORBIDDEN" } });
    const anonymous = await server.gql(`{ servers { totalCount } }`, {}, null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect((await server.gql(`{ servers { totalCount } sshPublicKey }`, {}, reader)).data.servers.totalCount).toBe(0);
    expect(await server.app.deps.db.server.count()).toBe(0);
  });

  it("pins the host key, installs the agent and marks the server ACTIVE, streaming each step", async () => {
    const result = await adopt({ name: "web-1", host: address });
    expect(result.data.adoptServer.__typename).toBe("MutationAdoptServerSuccess");
    const operation = result.data.adoptServer.data;
    expect(operation).toMatchObject({ kind: "ADOPT", title: `Adopt web-1 (root@${address}:22)` });

    const events = await follow(operation.id);
    const steps = [...new Set(events.map((e) => e.step))];
    expect(steps).toEqual(["connect", "host-key", "prerequisites", "folders", "upload", "init-system", "start", "health", "finished"]);
    expect(events.at(-1)).toMatchObject({ step: "finished", level: "INFO", message: "Succeeded" });
    expect(events.find((e) => e.step === "init-system")!.message).toBe("No systemd: the agent runs detached");
    expect(events.find((e) => e.step === "host-key")!.message).toMatch(/^Pinned the host key SHA256:/);
    const row = await dbRow("web-1");
    expect(events.filter((e) => e.step !== "finished").every((e) => e.serverId === Buffer.from(`Server:${row.id}`).toString("base64"))).toBe(true);

    const shown = await serverByName("web-1");
    expect(shown).toMatchObject({
      kind: "SSH_HOST",
      status: "ACTIVE",
      statusReason: null,
      publicIpv4: address,
      sshPort: 22,
      sshUser: "root",
      managed: false,
      agentVersion: expectedAgentVersion(),
      expectedAgentVersion: expectedAgentVersion(),
      agentOutdated: false,
      hostKeyFingerprint: row.hostKeyFingerprint,
    });
    expect(shown.hostKeyFingerprint).toMatch(/^SHA256:/);
    expect(shown.lastSeenAt).not.toBeNull();
    const byId = await server.gql(`query($id: ID!) { server(id: $id) { name status } }`, { id: shown.id }, server.adminToken);
    expect(byId.data.server).toEqual({ name: "web-1", status: "ACTIVE" });

    // What landed on the host: the bundle, the shim, and a config holding only the token's hash.
    const fs = lab.host(HOST).fs;
    expect(statSync(path.join(fs, "opt/slipway/agent.json")).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(fs, "opt/slipway/bin/slipway-agent")).mode & 0o777).toBe(0o755);
    expect(readFileSync(path.join(fs, "opt/slipway/bin/slipway-agent"), "utf8")).toBe('#!/bin/sh\nexec node --max-semi-space-size=1 --max-old-space-size=64 /opt/slipway/agent/slipway-agent.mjs "$@"\n');
    const token = server.app.deps.secrets.decrypt(row.agentTokenCiphertext!, AGENT_TOKEN_PURPOSE);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const config = JSON.parse(readFileSync(path.join(fs, "opt/slipway/agent.json"), "utf8"));
    expect(config).toEqual({ port: 7420, tokenSha256: createHash("sha256").update(token).digest("hex"), dockerSocket: "/var/run/docker.sock", nginxDir: "/etc/nginx" });
  });

  it("reaches the agent through the SSH tunnel with its token", async () => {
    const row = await dbRow("web-1");
    const agent = server.app.deps.connections.agent(row);
    const health = await agent.health();
    expect(health.version).toBe(expectedAgentVersion());
    expect(health.docker.ok).toBe(true);
    expect(health.nginx.ok).toBe(true);
    // Several requests at once share the one SSH connection.
    const answers = await Promise.all([agent.health(), agent.listImages(), agent.stats()]);
    expect(answers[0].version).toBe(expectedAgentVersion());
    expect(Array.isArray(answers[1].images)).toBe(true);
    expect(answers[2].memoryTotalBytes).toBeGreaterThan(0);
  });

  it("builds from a streamed context, copies the image and releases it, through the gateway", async () => {
    const row = await dbRow("web-1");
    const gateway = new SshServerGateway(server.app.deps.db, server.app.deps.connections);
    const deployment = randomUUID();
    const tag = `slipway/shop-web:deploy_${deployment.slice(0, 8)}`;
    const contextDir = path.join(dataDir, "context");
    mkdirSync(contextDir, { recursive: true });
    writeFileSync(
      path.join(contextDir, "Dockerfile"),
      'FROM slipway-lab/busybox:latest\nCOPY index.html /www/index.html\nCMD ["httpd", "-f", "-p", "3000", "-h", "/www"]\n',
    );
    writeFileSync(path.join(contextDir, "index.html"), "hello-from-slipway\n");
    const tar = spawn("tar", ["-c", "-C", contextDir, "."], { stdio: ["ignore", "pipe", "inherit"] });
    const lines: { type: string }[] = [];
    const built = await gateway.buildImage(row.id, tar.stdout, { tag, service: "shop-web", deployment }, (line) => void lines.push(line));
    expect(built.tags).toContain(tag);
    expect(built).toMatchObject({ service: "shop-web", deployment });
    expect(lines.length).toBeGreaterThan(0);

    // export as a stream from one agent, load as a streamed body into the other (here the same one)
    await gateway.copyImage({ tag, service: "shop-web", deployment }, row.id, row.id);
    expect((await gateway.listImages(row.id, "shop-web")).flatMap((image) => image.tags)).toContain(tag);

    const released = await gateway.release(
      row.id,
      { service: "shop-web", deployment, image: tag, port: 3000, env: {}, healthCheck: { path: "/", timeoutSeconds: 30, intervalMs: 50 }, domains: [], drainTimeoutSeconds: 0 },
      (line) => void lines.push(line),
    );
    expect(released).toMatchObject({ state: "switched", error: null });
    expect(await gateway.serviceStatus(row.id, "shop-web")).toMatchObject({ service: "shop-web", running: true, deployment });
  });

  it("keeps the agent token out of the database in clear, out of events and out of the API", async () => {
    const row = await dbRow("web-1");
    const token = server.app.deps.secrets.decrypt(row.agentTokenCiphertext!, AGENT_TOKEN_PURPOSE);
    expect((await server.storedBytes()).includes(Buffer.from(token)), "the database holds the agent token in clear").toBe(false);
    const everything = await server.app.deps.db.operationEvent.findMany();
    expect(JSON.stringify(everything)).not.toContain(token);
    expect(JSON.stringify(await serverByName("web-1"))).not.toContain(token);
  });

  it("refuses to adopt the same name or the same address twice", async () => {
    const again = await adopt({ name: "web-1", host: "10.213.0.250" });
    expect(again.data.adoptServer).toMatchObject({ __typename: "ConflictError", message: 'A server named "web-1" already exists' });
    const sameAddress = await adopt({ name: "web-1b", host: address });
    expect(sameAddress.data.adoptServer).toMatchObject({ __typename: "ConflictError", message: `${address}:22 is already the server "web-1"` });
  });

  it("upgrades an outdated agent in place", async () => {
    const row = await dbRow("web-1");
    const pidFile = path.join(lab.host(HOST).fs, "run/slipway-agent.pid");
    const pidBefore = readFileSync(pidFile, "utf8").trim();
    // As if someone else had started it (the lab does at boot): the upgrade must find it by its port.
    rmSync(pidFile);
    await server.app.deps.db.server.update({ where: { id: row.id }, data: { agentVersion: "0.0.1" } });
    expect(await serverByName("web-1")).toMatchObject({ agentVersion: "0.0.1", agentOutdated: true });

    const result = await server.gql(UPGRADE, { id: (await serverByName("web-1")).id }, server.adminToken);
    expect(result.data.upgradeAgent.__typename).toBe("MutationUpgradeAgentSuccess");
    expect(result.data.upgradeAgent.data.kind).toBe("UPGRADE_AGENT");
    const events = await follow(result.data.upgradeAgent.data.id);
    expect(events.at(-1)).toMatchObject({ step: "finished", message: "Succeeded" });
    expect(events.find((e) => e.step === "host-key")!.message).toBe(`The host key matches the pinned ${row.hostKeyFingerprint}`);

    expect(await serverByName("web-1")).toMatchObject({ status: "ACTIVE", agentVersion: expectedAgentVersion(), agentOutdated: false });
    const pidAfter = readFileSync(pidFile, "utf8").trim();
    expect(pidAfter).not.toBe(pidBefore);
    expect(existsSync(`/proc/${pidBefore}`) && readFileSync(`/proc/${pidBefore}/cmdline`, "utf8").includes("slipway-agent")).toBe(false);
    // The same token still works: an upgrade does not rotate it.
    expect((await dbRow("web-1")).agentTokenCiphertext).toBe(row.agentTokenCiphertext);
    expect((await server.app.deps.connections.agent(await dbRow("web-1")).health()).version).toBe(expectedAgentVersion());
  });

  it("refuses a server whose host key no longer matches the pinned one, and runs nothing", async () => {
    const row = await dbRow("web-1");
    const configFile = path.join(lab.host(HOST).fs, "opt/slipway/agent.json");
    const before = statSync(configFile).mtimeMs;
    const wrong = `SHA256:${Buffer.alloc(32, 7).toString("base64").replace(/=+$/, "")}`;
    await server.app.deps.db.server.update({ where: { id: row.id }, data: { hostKeyFingerprint: wrong } });

    const result = await server.gql(UPGRADE, { id: (await serverByName("web-1")).id }, server.adminToken);
    const events = await follow(result.data.upgradeAgent.data.id);
    const expected = `host key changed: expected ${wrong}, got ${row.hostKeyFingerprint}`;
    expect(events.at(-1)).toMatchObject({ step: "finished", level: "ERROR", message: `Failed: ${expected}` });
    expect(events.map((e) => e.step)).toEqual(["connect", "server-status", "finished"]);
    expect(statSync(configFile).mtimeMs).toBe(before);
    expect(await serverByName("web-1")).toMatchObject({ status: "ERROR", statusReason: `The server is marked ERROR: ${expected}` });

    // Putting the right pin back (an operator's call) makes it usable again.
    await server.app.deps.db.server.update({ where: { id: row.id }, data: { hostKeyFingerprint: row.hostKeyFingerprint } });
    const retry = await server.gql(UPGRADE, { id: (await serverByName("web-1")).id }, server.adminToken);
    expect((await follow(retry.data.upgradeAgent.data.id)).at(-1)).toMatchObject({ message: "Succeeded" });
    expect(await serverByName("web-1")).toMatchObject({ status: "ACTIVE", statusReason: null });
  });

  it("fails with a clear reason when sshd cannot be reached", async () => {
    const cutAddress = await boot(CUT);
    await lab.cutOff(CUT);
    const result = await adopt({ name: "cut-off", host: cutAddress });
    const events = await follow(result.data.adoptServer.data.id);
    expect(events.at(-1)!.message).toMatch(new RegExp(`^Failed: Could not connect to root@${cutAddress.replaceAll(".", "\\.")}:22: (no SSH handshake within the timeout|the host is unreachable)`));
    const shown = await serverByName("cut-off");
    expect(shown).toMatchObject({ status: "ERROR", hostKeyFingerprint: null, agentVersion: null });
    expect(shown.statusReason).toContain("Could not connect to");
  });

  it("answers upgradeAgent for an unknown server with NotFoundError", async () => {
    const id = Buffer.from("Server:00000000-0000-4000-8000-000000000000").toString("base64");
    const result = await server.gql(UPGRADE, { id }, server.adminToken);
    expect(result.data.upgradeAgent).toEqual({ __typename: "NotFoundError", message: "Server was not found" });
  });
});
