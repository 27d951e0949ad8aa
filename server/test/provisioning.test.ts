// Provisioning against the DigitalOcean simulator with hosts that boot nothing (NullHostProvider):
// the DigitalOcean side for real over HTTP (actions, tags, rate limits, faults), the agent
// bring-up replaced by a stand-in that only a reachable droplet passes. The real bring-up on real
// hosts is in provisioning-lab.test.ts.
import type { HealthResponse } from "@slipway/agent/protocol";
import { startDigitalOceanSimulator, type DigitalOceanSimulator } from "@slipway/lab/digitalocean";
import { request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectedAgentVersion } from "../src/domain/servers/agent-release.js";
import { AGENT_TOKEN_PURPOSE, newAgentToken } from "../src/domain/servers/server-connections.js";
import { startTestServer, type TestServer } from "./harness.js";
import {
  CREATE_SNAPSHOT, DELETE_SERVER, DELETE_SNAPSHOT, PROVISION, SNAPSHOTS, globalId, runOperation, storeDigitalOceanToken,
} from "./provisioning-support.js";

let sim: DigitalOceanSimulator;
let server: TestServer;
let snapshotGlobalId: string;
const seenTempDroplets: { name: string; tags: string[]; userData: string | undefined; image: number }[] = [];
let failSnapshotAgent = false;
const removed: string[] = [];

/** What the stand-in bring-up does to a droplet that answers: its own token, a pinned key, ACTIVE. */
async function standInBringUp(serverId: string) {
  const db = server.app.deps.db;
  const row = await db.server.findUniqueOrThrow({ where: { id: serverId } });
  const droplet = sim.state.droplets.get(Number(row.providerId));
  if (!droplet?.reachable) throw new Error(`${row.name} never became reachable over SSH: Could not connect to root@${row.publicIpv4}:22: the host is unreachable`);
  return db.server.update({
    where: { id: serverId },
    data: {
      agentTokenCiphertext: server.app.deps.secrets.encrypt(newAgentToken(), AGENT_TOKEN_PURPOSE),
      hostKeyFingerprint: `SHA256:stand-in-${droplet.id}`,
      agentVersion: expectedAgentVersion(),
      status: "ACTIVE",
      lastSeenAt: new Date(),
    },
  });
}

async function provision(input: Record<string, unknown>) {
  return runOperation(server, PROVISION, { input: { snapshotId: snapshotGlobalId, namePrefix: "prov-fast", ...input } }, "provisionServers");
}

const droplets = () => [...sim.state.droplets.values()];

describe("provisioning against the DigitalOcean simulator", { timeout: 60_000 }, () => {
  beforeAll(async () => {
    sim = await startDigitalOceanSimulator({ actionDelayMs: 30 });
    server = await startTestServer({ SLIPWAY_DIGITALOCEAN_API_URL: sim.url }, undefined, {
      extraServerRemovedHooks: [async (removedServer) => void removed.push(removedServer.name)],
      provisioning: {
      digitalOcean: {
        actions: { pollIntervalMs: 25, maxPollIntervalMs: 100 },
        retry: { baseDelayMs: 5, maxDelayMs: 20 },
        rateLimit: { initialWaitMs: 5, maxWaitMs: 50 },
      },
      goneWaitMs: 5_000,
      bringUpAgent: (ctx, serverId) => ctx.emit({ step: "agent", message: "stand-in bring-up", serverId }).then(() => standInBringUp(serverId)),
      installSnapshotAgent: async (_ctx, droplet) => {
        const record = sim.state.droplets.get(droplet.id)!;
        seenTempDroplets.push({ name: record.name, tags: record.tags, userData: record.userData, image: record.imageId });
        if (failSnapshotAgent) throw new Error("injected: the agent did not answer");
        return { version: expectedAgentVersion() } as HealthResponse;
      },
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await sim?.close();
  });

  beforeEach(() => sim.faults.clear());

  it("refuses to provision without a DigitalOcean credential, and changes nothing", async () => {
    const snapshot = await server.app.deps.db.snapshot.create({ data: { name: "x", providerId: "1", regions: ["nyc3"], agentVersion: "0", status: "AVAILABLE" } });
    const result = await server.gql(PROVISION, { input: { snapshotId: globalId("Snapshot", snapshot.id), namePrefix: "prov-x" } }, server.adminToken);
    expect(result.data.provisionServers).toEqual({ __typename: "NotFoundError", message: 'A DIGITALOCEAN credential named "default" was not found' });
    expect(await server.app.deps.db.server.count()).toBe(0);
    await server.app.deps.db.snapshot.delete({ where: { id: snapshot.id } });
    await storeDigitalOceanToken(server, sim.token);
  });

  it("creates a snapshot on a temporary droplet, destroys it, and records the agent version", async () => {
    const { operation, events } = await runOperation(server, CREATE_SNAPSHOT, { input: { name: "prov-snap-1" } }, "createSnapshot");
    expect(operation).toMatchObject({ kind: "SNAPSHOT", status: "SUCCEEDED" });
    expect([...new Set(events.map((e) => e.step))]).toEqual(["ssh-key", "droplet", "agent", "power-off", "snapshot", "cleanup", "finished"]);

    const temp = seenTempDroplets.at(-1)!;
    expect(temp.name).toBe("prov-snap-1-build");
    expect(temp.tags.sort()).toEqual(["slipway-managed", "slipway-snapshot-temp"]);
    expect(temp.userData).toMatch(/^#cloud-config\n/);
    expect(temp.userData).toContain("server_names_hash_bucket_size 128");
    expect(temp.image).toBe(150000001); // debian-12-x64
    expect(droplets()).toEqual([]);
    expect(sim.state.sshKeys.size).toBe(1);

    const listed = await server.gql(SNAPSHOTS, {}, server.adminToken);
    const node = listed.data.snapshots.edges[0].node;
    expect(node).toMatchObject({ name: "prov-snap-1", regions: ["nyc3"], agentVersion: expectedAgentVersion(), status: "AVAILABLE" });
    expect(sim.state.images.get(Number(node.providerId))).toMatchObject({ type: "snapshot", name: "prov-snap-1" });
    snapshotGlobalId = node.id;
  });

  it("destroys the temporary droplet when a step fails (agent, then the snapshot action)", async () => {
    failSnapshotAgent = true;
    try {
      const { operation, events } = await runOperation(server, CREATE_SNAPSHOT, { input: { name: "prov-snap-fail" } }, "createSnapshot");
      expect(operation).toMatchObject({ status: "FAILED", error: "injected: the agent did not answer" });
      expect(events.map((e) => e.step)).toContain("cleanup");
    } finally {
      failSnapshotAgent = false;
    }
    expect(droplets()).toEqual([]);

    sim.faults.errorNextAction(1, { match: "^prov-snap-fail2-build$" });
    // The create action errors first: the droplet is destroyed all the same.
    const created = await runOperation(server, CREATE_SNAPSHOT, { input: { name: "prov-snap-fail2" } }, "createSnapshot");
    expect(created.operation.status).toBe("FAILED");
    expect(created.operation.error).toMatch(/^DigitalOcean action \d+ \(create\) on droplet \d+ errored$/);
    expect(droplets()).toEqual([]);

    const statuses = await server.app.deps.db.snapshot.findMany({ where: { name: { startsWith: "prov-snap-fail" } }, select: { status: true } });
    expect(statuses).toEqual([{ status: "FAILED" }, { status: "FAILED" }]);
    expect([...sim.state.images.values()].filter((i) => i.type === "snapshot")).toHaveLength(1);
  });

  it("provisions two managed droplets from the snapshot, each with its own agent token", async () => {
    const { operation, events } = await provision({ count: 2, size: "s-1vcpu-2gb" });
    expect(operation).toMatchObject({ kind: "PROVISION", status: "SUCCEEDED" });
    expect(events.filter((e) => e.step === "ready")).toHaveLength(2);
    const rows = await server.app.deps.db.server.findMany({ where: { name: { startsWith: "prov-fast-" } } });
    expect(rows).toHaveLength(2);
    const snapshot = await server.app.deps.db.snapshot.findFirstOrThrow({ where: { name: "prov-snap-1" } });
    for (const row of rows) {
      expect(row).toMatchObject({ kind: "DROPLET", managed: true, status: "ACTIVE", region: "nyc3", size: "s-1vcpu-2gb", snapshotId: snapshot.id });
      const droplet = sim.state.droplets.get(Number(row.providerId))!;
      expect(droplet).toMatchObject({ name: row.name, ipv4: row.publicIpv4, imageId: Number(snapshot.providerId), status: "active" });
      expect(droplet.tags).toEqual(["slipway-managed"]);
      expect(droplet.sshKeyIds).toEqual([...sim.state.sshKeys.keys()]);
    }
    const tokens = rows.map((r) => server.app.deps.secrets.decrypt(r.agentTokenCiphertext!, AGENT_TOKEN_PURPOSE));
    expect(new Set(tokens).size).toBe(2);
    expect(JSON.stringify(events)).not.toContain(tokens[0]);
  });

  it("destroys a droplet that never becomes reachable, keeps the others, and fails naming it", async () => {
    const before = droplets().length;
    sim.faults.unreachableNext(1);
    const { operation } = await provision({ count: 2, namePrefix: "prov-unr" });
    expect(operation.status).toBe("FAILED");
    const rows = await server.app.deps.db.server.findMany({ where: { name: { startsWith: "prov-unr-" } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe("ACTIVE");
    expect(operation.error).toMatch(/^1 of 2 droplets failed and was destroyed: prov-unr-[0-9a-f]{6}: prov-unr-[0-9a-f]{6} never became reachable over SSH: .*unreachable$/);
    expect(operation.error).not.toContain(rows[0]!.name);
    expect(droplets().length).toBe(before + 1);
    expect(droplets().every((d) => d.reachable)).toBe(true);
  });

  it("fails clearly when the create actions error, and leaves nothing behind", async () => {
    const before = droplets().length;
    sim.faults.errorNextAction(2);
    const { operation } = await provision({ count: 2, namePrefix: "prov-err" });
    expect(operation.status).toBe("FAILED");
    expect(operation.error).toMatch(/^2 of 2 droplets failed and were destroyed: prov-err-[0-9a-f]{6}: DigitalOcean action \d+ \(create\) on droplet \d+ errored; /);
    expect(droplets().length).toBe(before);
    expect(await server.app.deps.db.server.count({ where: { name: { startsWith: "prov-err-" } } })).toBe(0);
  });

  it("succeeds through 429 storms and 5xx answers", async () => {
    // Each 429 holds every call until its ratelimit-reset: a reset within the second keeps the storm short.
    sim.faults.rateLimitNext(12, { retryAfterSeconds: 0 });
    sim.faults.failNext(3, { status: 503, match: "^POST /v2/droplets$" });
    sim.faults.failNext(4, { status: 500, match: "^GET /v2/actions/" });
    const { operation } = await provision({ count: 3, namePrefix: "prov-storm" });
    expect(operation.error).toBeNull();
    expect(operation.status).toBe("SUCCEEDED");
    const rows = await server.app.deps.db.server.findMany({ where: { name: { startsWith: "prov-storm-" } } });
    expect(rows.map((r) => r.status)).toEqual(["ACTIVE", "ACTIVE", "ACTIVE"]);
    // A retried create never made a second droplet.
    expect(droplets().filter((d) => d.name.startsWith("prov-storm-"))).toHaveLength(3);
    expect(sim.faults.list()).toEqual([]);
  });

  it("refuses to delete an unmanaged droplet unless forced", async () => {
    // A droplet someone made by hand (no managed tag), recorded as an unmanaged server.
    const made = await request(`${sim.url}/v2/droplets`, {
      method: "POST",
      headers: { authorization: `Bearer ${sim.token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "prov-handmade", region: "nyc3", size: "s-1vcpu-1gb", image: "debian-12-x64" }),
    });
    const dropletId = ((await made.body.json()) as { droplet: { id: number } }).droplet.id;
    await sim.settled();
    const row = await server.app.deps.db.server.create({
      data: { name: "prov-handmade", kind: "DROPLET", managed: false, providerId: String(dropletId), status: "ACTIVE", publicIpv4: sim.state.droplets.get(dropletId)!.ipv4! },
    });

    const refused = await server.gql(DELETE_SERVER, { id: globalId("Server", row.id) }, server.adminToken);
    expect(refused.data.deleteServer).toEqual({
      __typename: "UnmanagedServerError",
      message: 'The droplet "prov-handmade" is not managed by Slipway; refusing to destroy it unless forced',
    });
    expect(sim.state.droplets.has(dropletId)).toBe(true);
    expect(await server.app.deps.db.server.findUnique({ where: { id: row.id } })).toMatchObject({ status: "ACTIVE" });

    // The row says managed but DigitalOcean says otherwise: the client refuses too.
    await server.app.deps.db.server.update({ where: { id: row.id }, data: { managed: true } });
    const lying = await runOperation(server, DELETE_SERVER, { id: globalId("Server", row.id) }, "deleteServer");
    expect(lying.operation.status).toBe("FAILED");
    expect(lying.operation.error).toMatch(/does not carry the tag "slipway-managed": Slipway does not manage it; refusing unless forced$/);
    expect(sim.state.droplets.has(dropletId)).toBe(true);
    await server.app.deps.db.server.update({ where: { id: row.id }, data: { managed: false, status: "ACTIVE" } });

    const forced = await runOperation(server, DELETE_SERVER, { id: globalId("Server", row.id), force: true }, "deleteServer");
    expect(forced.operation).toMatchObject({ kind: "DELETE_SERVER", status: "SUCCEEDED", title: `Delete prov-handmade (droplet ${dropletId}), forced` });
    expect(sim.state.droplets.has(dropletId)).toBe(false);
    expect(await server.app.deps.db.server.findUnique({ where: { id: row.id } })).toBeNull();
  });

  it("deletes a managed server: drains it, calls the server-removed hooks, destroys the droplet, removes the row", async () => {
    const db = server.app.deps.db;
    const row = await db.server.findFirstOrThrow({ where: { name: { startsWith: "prov-fast-" } } });
    const project = await db.project.create({ data: { name: "prov-shop" } });
    const service = await db.service.create({ data: { projectId: project.id, name: "web", imageBase: "slipway/prov-shop-web", agentName: "prov-shop--web" } });
    await db.serviceServer.create({ data: { serviceId: service.id, serverId: row.id } });
    removed.length = 0;
    const { operation, events } = await runOperation(server, DELETE_SERVER, { id: globalId("Server", row.id) }, "deleteServer");
    expect(operation.status).toBe("SUCCEEDED");
    expect(events.map((e) => e.step)).toEqual(["drain", "destroy", "destroy", "finished"]);
    expect(events[0]!.message).toBe("Removed the server from 1 service; deploys no longer target it");
    expect(removed).toEqual([row.name]);
    expect(sim.state.droplets.has(Number(row.providerId))).toBe(false);
    expect(await db.server.findUnique({ where: { id: row.id } })).toBeNull();
    expect(await db.serviceServer.count({ where: { serverId: row.id } })).toBe(0);
    expect(await db.service.count({ where: { id: service.id } })).toBe(1);
  });

  it("lists regions and sizes from DigitalOcean, and deletes a snapshot", async () => {
    const result = await server.gql(
      `{ regions { __typename ... on QueryRegionsSuccess { data { slug available } } } sizes { __typename ... on QuerySizesSuccess { data { slug vcpus memoryMegabytes } } } }`,
      {},
      server.adminToken,
    );
    expect(result.data.regions.data.map((r: { slug: string }) => r.slug)).toContain("nyc3");
    expect(result.data.sizes.data).toContainEqual({ slug: "s-1vcpu-1gb", vcpus: 1, memoryMegabytes: 1024 });

    const deleted = await server.gql(DELETE_SNAPSHOT, { id: snapshotGlobalId }, server.adminToken);
    expect(deleted.data.deleteSnapshot.data).toMatchObject({ name: "prov-snap-1", status: "DELETED" });
    expect([...sim.state.images.values()].filter((i) => i.type === "snapshot")).toHaveLength(0);
    const again = await server.gql(DELETE_SNAPSHOT, { id: snapshotGlobalId }, server.adminToken);
    expect(again.data.deleteSnapshot).toEqual({ __typename: "NotFoundError", message: "Snapshot was not found" });
    // The failed ones stay listed (for their reason) until deleted; the deleted one only on request.
    const listed = (await server.gql(SNAPSHOTS, {}, server.adminToken)).data.snapshots.edges.map((e: { node: { status: string } }) => e.node.status);
    expect(listed).toEqual(["FAILED", "FAILED"]);
  });

  it("validates input and needs the servers:write scope", async () => {
    const bad = await server.gql(PROVISION, { input: { snapshotId: snapshotGlobalId, count: 0, namePrefix: "Bad Name" } }, server.adminToken);
    expect(bad.data.provisionServers.__typename).toBe("ValidationError");
    expect(bad.data.provisionServers.fieldErrors.map((f: { path: string[] }) => f.path.join("."))).toEqual(["count", "namePrefix"]);
    const gone = await server.gql(PROVISION, { input: { snapshotId: snapshotGlobalId } }, server.adminToken);
    expect(gone.data.provisionServers).toEqual({ __typename: "ConflictError", message: "The snapshot prov-snap-1 is deleted, not available" });

    const created = await server.gql(
      `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { ... on MutationCreateApiTokenSuccess { data { token } } } }`,
      { input: { name: "reader", scopes: ["read"] } },
      server.adminToken,
    );
    const reader = created.data.createApiToken.data.token;
    for (const [document, variables] of [
      [PROVISION, { input: { snapshotId: snapshotGlobalId } }],
      [CREATE_SNAPSHOT, { input: {} }],
      [DELETE_SERVER, { id: globalId("Server", "00000000-0000-4000-8000-000000000000") }],
    ] as const) {
      const refused = await server.gql(document, variables, reader);
      expect(refused.errors?.[0]).toMatchObject({ message: 'Not allowed: this needs the scope "servers:write"', extensions: { code: "FORBIDDEN" } });
    }
  });
});
