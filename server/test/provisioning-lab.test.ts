// Snapshots and provisioning for real: the DigitalOcean simulator boots a real lab host per
// droplet (sshd, dockerd, nginx, the agent at boot when /opt holds it), the agent bundle is
// installed over SSH, snapshots capture the host's files, and servers made from the snapshot get
// their own agent token and pinned host key. The hosts live in a lab instance of this suite's own,
// torn down before and after.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { startDigitalOceanSimulator, type DigitalOceanSimulator } from "@slipway/lab/digitalocean";
import { Lab } from "@slipway/lab/hosts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedAgentVersion } from "../src/domain/servers/agent-release.js";
import { AGENT_TOKEN_PURPOSE } from "../src/domain/servers/server-connections.js";
import { HostKeyMismatchError } from "../src/integrations/ssh/errors.js";
import { startTestServer, type TestServer } from "./harness.js";
import { CREATE_SNAPSHOT, DELETE_SERVER, PROVISION, SNAPSHOTS, globalId, runOperation, storeDigitalOceanToken } from "./provisioning-support.js";

const suffix = randomBytes(2).toString("hex");
const SNAPSHOT_NAME = `prov-snap-${suffix}`;
const PREFIX = `prov-${suffix}`;
const lab = new Lab({ instance: "srv-provisioning" });
let sim: DigitalOceanSimulator;
let server: TestServer;
let snapshotGlobalId: string;

const ownHosts = () => lab.list().filter((h) => h.name.startsWith(`prov-${suffix}`) || h.name.startsWith(SNAPSHOT_NAME));

describe("snapshots and provisioning on the lab", { timeout: 300_000 }, () => {
  beforeAll(async () => {
    lab.preflight();
    await lab.teardown();
    sim = await startDigitalOceanSimulator({ provider: lab, actionDelayMs: 100 });
    server = await startTestServer({ SLIPWAY_DIGITALOCEAN_API_URL: sim.url }, undefined, {
      provisioning: { digitalOcean: { actions: { pollIntervalMs: 200, maxPollIntervalMs: 1_000 } }, sshWaitMs: 20_000, goneWaitMs: 60_000 },
    });
    await storeDigitalOceanToken(server, sim.token);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await sim?.close();
    await lab.teardown();
  }, 120_000);

  it("creates a snapshot end to end; the temporary droplet and its host are gone afterwards", async () => {
    const { operation, events } = await runOperation(server, CREATE_SNAPSHOT, { input: { name: SNAPSHOT_NAME } }, "createSnapshot");
    expect(operation.error).toBeNull();
    expect(operation.status).toBe("SUCCEEDED");
    const steps = [...new Set(events.map((e) => e.step))];
    expect(steps).toEqual(expect.arrayContaining(["ssh-key", "droplet", "ssh", "cloud-init", "connect", "host-key", "prerequisites", "upload", "health", "agent", "power-off", "snapshot", "cleanup"]));
    expect(events.find((e) => e.step === "health" && e.message.startsWith("Agent "))!.message).toContain(expectedAgentVersion());

    const node = (await server.gql(SNAPSHOTS, {}, server.adminToken)).data.snapshots.edges[0].node;
    expect(node).toMatchObject({ name: SNAPSHOT_NAME, agentVersion: expectedAgentVersion(), status: "AVAILABLE", regions: ["nyc3"] });
    snapshotGlobalId = node.id;
    await sim.settled();
    expect([...sim.state.droplets.values()].filter((d) => d.name === `${SNAPSHOT_NAME}-build`)).toEqual([]);
    expect(ownHosts()).toEqual([]);
    expect(sim.state.images.get(Number(node.providerId))!.hostImage.archivePath).toMatch(/\.tar\.gz$/);
  });

  it("provisions two servers from it, each ACTIVE with its own agent token and pinned key, answering through SSH", async () => {
    const { operation, events } = await runOperation(server, PROVISION, { input: { snapshotId: snapshotGlobalId, count: 2, namePrefix: PREFIX } }, "provisionServers");
    expect(operation.error).toBeNull();
    expect(operation.status).toBe("SUCCEEDED");
    expect(events.filter((e) => e.step === "host-key" && e.message.startsWith("Pinned the host key SHA256:"))).toHaveLength(2);

    const db = server.app.deps.db;
    const rows = await db.server.findMany({ where: { name: { startsWith: `${PREFIX}-` } } });
    expect(rows).toHaveLength(2);
    const tokens = new Set<string>();
    for (const row of rows) {
      expect(row).toMatchObject({ kind: "DROPLET", managed: true, status: "ACTIVE", agentVersion: expectedAgentVersion(), region: "nyc3" });
      expect(row.hostKeyFingerprint).toMatch(/^SHA256:/);
      const token = server.app.deps.secrets.decrypt(row.agentTokenCiphertext!, AGENT_TOKEN_PURPOSE);
      tokens.add(token);
      // The snapshot's agent was reconfigured: agent.json holds this server's token hash.
      const config = JSON.parse(readFileSync(path.join(lab.host(row.name).fs, "opt/slipway/agent.json"), "utf8"));
      expect(config.tokenSha256).toBe(createHash("sha256").update(token).digest("hex"));
      const health = await server.app.deps.connections.agent(row).health();
      expect(health.version).toBe(expectedAgentVersion());
      expect(health.docker.ok).toBe(true);
    }
    expect(tokens.size).toBe(2);
    expect(rows[0]!.hostKeyFingerprint).not.toBe(rows[1]!.hostKeyFingerprint);
  });

  it("refuses a provisioned droplet whose host key changed", async () => {
    const db = server.app.deps.db;
    const row = await db.server.findFirstOrThrow({ where: { name: { startsWith: `${PREFIX}-` } }, orderBy: { name: "asc" } });
    const wrong = `SHA256:${Buffer.alloc(32, 9).toString("base64").replace(/=+$/, "")}`;
    const tampered = await db.server.update({ where: { id: row.id }, data: { hostKeyFingerprint: wrong } });
    server.app.deps.connections.forget(row.id);
    const refused = await server.app.deps.connections.ssh(tampered).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(HostKeyMismatchError);
    expect((refused as Error).message).toBe(`host key changed: expected ${wrong}, got ${row.hostKeyFingerprint}`);
    await db.server.update({ where: { id: row.id }, data: { hostKeyFingerprint: row.hostKeyFingerprint } });
    expect((await server.app.deps.connections.agent(await db.server.findUniqueOrThrow({ where: { id: row.id } })).health()).version).toBe(expectedAgentVersion());
  });

  it("destroys a droplet that never answers SSH, keeps the other, and fails naming it", async () => {
    server.app.deps.provisioning.sshWaitMs = 5_000;
    const prefix = `${PREFIX}u`;
    sim.faults.unreachableNext(1, { match: `^${prefix}-` });
    const { operation } = await runOperation(server, PROVISION, { input: { snapshotId: snapshotGlobalId, count: 2, namePrefix: prefix } }, "provisionServers");
    server.app.deps.provisioning.sshWaitMs = 20_000;
    expect(operation.status).toBe("FAILED");
    const rows = await server.app.deps.db.server.findMany({ where: { name: { startsWith: `${prefix}-` } } });
    expect(rows.map((r) => r.status)).toEqual(["ACTIVE"]);
    const subnet = lab.config.subnet.replace(/\./g, "\\.");
    const lost = (operation.error ?? "").match(
      new RegExp(`^1 of 2 droplets failed and was destroyed: (prov-[0-9a-f]{4}u-[0-9a-f]{6}): \\1 never became reachable over SSH: Could not connect to root@${subnet}\\.\\d+:22: `),
    );
    expect(lost, operation.error ?? "").not.toBeNull();
    await sim.settled();
    expect([...sim.state.droplets.values()].map((d) => d.name)).not.toContain(lost![1]);
    expect(lab.list().map((h) => h.name)).not.toContain(lost![1]);
    expect((await server.app.deps.connections.agent(rows[0]!).health()).version).toBe(expectedAgentVersion());
  });

  it("deletes a managed server: the droplet and its lab host are gone", async () => {
    const db = server.app.deps.db;
    const [row, other] = await db.server.findMany({ where: { name: { startsWith: `${PREFIX}-` } }, orderBy: { name: "asc" } });
    const { operation } = await runOperation(server, DELETE_SERVER, { id: globalId("Server", row!.id) }, "deleteServer");
    expect(operation.error).toBeNull();
    expect(operation.status).toBe("SUCCEEDED");
    await sim.settled();
    expect(sim.state.droplets.has(Number(row!.providerId))).toBe(false);
    expect(lab.list().map((h) => h.name)).not.toContain(row!.name);
    expect(await db.server.findUnique({ where: { id: row!.id } })).toBeNull();
    // The other one is untouched.
    expect((await server.app.deps.connections.agent(other!).health()).version).toBe(expectedAgentVersion());
  });
});
