// Deleting a service that ran: an operation that retires it on each server (agent: nginx site and
// containers), removes its images there, then its Cloudflare DNS records, then its rows. The
// recording gateway stands in for the servers, the Cloudflare simulator for Cloudflare.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeployment } from "../src/domain/deployments/create-deployment.js";
import { claimServiceRemoval } from "../src/domain/deployments/deploy-claim.js";
import { deleteService as deleteServiceNow } from "../src/domain/services/delete-service.js";
import { ServerUnreachableError } from "../src/domain/ports.js";
import { aRecords, ADDRESSES, deployAndWait, gid, rawId, setDomains, startDomainsFixture, type DomainsFixture, type Event } from "./domains-fixture.js";
import { collect, viewerFor } from "./harness.js";

const DELETE = `mutation($id: ID!) { deleteService(id: $id) {
  __typename
  ... on MutationDeleteServiceSuccess { data { removed { dnsHostnames servers { serverName images } } operation { id kind status title } } }
  ... on Error { message } } }`;
const DEPLOY = `mutation($input: DeployInput!) { deploy(input: $input) { __typename ... on Error { message } } }`;

async function deleteService(f: DomainsFixture) {
  return (await f.server.gql(DELETE, { id: f.serviceId }, f.server.adminToken)).data.deleteService;
}

async function eventsUntilEnd(f: DomainsFixture, operationId: string): Promise<Event[]> {
  const { values } = await collect<{ operationEvents: Event }>(
    f.server.ws(f.server.adminToken),
    `subscription($id: ID!) { operationEvents(operationId: $id) { seq step level message } }`,
    { id: operationId },
  ).done;
  return values.map((v) => v.operationEvents);
}

async function operationOf(f: DomainsFixture, operationId: string) {
  return f.server.app.deps.db.operation.findUniqueOrThrow({ where: { id: rawId(operationId) } });
}

/** The fixture's service, deployed to both servers with a domain (so Cloudflare has two A records). */
async function deployedService(): Promise<DomainsFixture> {
  const f = await startDomainsFixture();
  expect((await setDomains(f, ["shop.example.test"])).__typename).toBe("MutationSetDomainsSuccess");
  expect((await deployAndWait(f, "registry.test/shop/web:1")).status).toBe("SUCCEEDED");
  expect(aRecords(f.sim)).toEqual(ADDRESSES.map((ip) => `shop.example.test ${ip} proxied`));
  f.gateway.calls.length = 0;
  return f;
}

describe("deleting a service that ran", () => {
  let f: DomainsFixture;
  beforeAll(async () => (f = await deployedService()));
  afterAll(() => f?.stop());

  it("is refused while a deployment of it runs, and nothing is touched", async () => {
    const { db } = f.server.app.deps;
    const serviceId = rawId(f.serviceId);
    const running = await db.deployment.create({
      data: {
        serviceId, status: "DEPLOYING", sourceType: "IMAGE", sourceRef: "registry.test/shop/web:2", imageTag: "slipway/shop-web:deploy_running",
        port: 8080, healthCheckPath: "/", healthCheckTimeoutSeconds: 30, domains: [], envCiphertext: "",
      },
    });
    await db.service.update({ where: { id: serviceId }, data: { activeDeploymentId: running.id } });
    expect(await deleteService(f)).toEqual({ __typename: "ConflictError", message: "A deployment of this service is running: wait until it has finished" });
    // The claim itself refuses too (a deploy that started between the check and the claim).
    await expect(db.$transaction((tx) => claimServiceRemoval(tx, serviceId, "00000000-0000-4000-8000-000000000000"))).rejects.toThrow(
      /A deployment of this service is already in progress/,
    );
    expect(f.gateway.calls).toEqual([]);
    expect(await db.operation.count({ where: { kind: "DELETE_SERVICE" } })).toBe(0);
    await db.deployment.delete({ where: { id: running.id } });
  });

  it("retires it on each server, removes its images there, then its DNS records, then its rows; no deploy starts meanwhile", async () => {
    const { db } = f.server.app.deps;
    let letRetireFinish!: () => void;
    const held = new Promise<void>((resolve) => (letRetireFinish = resolve));
    let retireStarted!: () => void;
    const started = new Promise<void>((resolve) => (retireStarted = resolve));
    f.gateway.beforeRetire = async () => {
      retireStarted();
      await held;
    };
    const images = Object.fromEntries(f.serverIds.map((id) => [id, f.gateway.images.get(id)!.map((image) => image.id)]));

    const deleted = await deleteService(f);
    expect(deleted).toMatchObject({
      __typename: "MutationDeleteServiceSuccess",
      data: {
        removed: { dnsHostnames: ["shop.example.test"], servers: [{ serverName: "dns-host-0" }, { serverName: "dns-host-1" }] },
        operation: { kind: "DELETE_SERVICE", title: "Delete shop/web from 2 servers" },
      },
    });
    const operationId = deleted.data.operation.id;

    await started;
    const deploy = await f.server.gql(
      DEPLOY,
      { input: { serviceId: f.serviceId, source: { type: "IMAGE", image: "registry.test/shop/web:2" }, serverIds: f.serverIds.map((id) => gid("Server", id)) } },
      f.server.adminToken,
    );
    expect(deploy.data.deploy).toEqual({ __typename: "ConflictError", message: `The service is being deleted (operation ${rawId(operationId)})` });
    expect((await deleteService(f)).message).toBe(`The service is being deleted (operation ${rawId(operationId)})`);
    letRetireFinish();

    const events = await eventsUntilEnd(f, operationId);
    expect((await operationOf(f, operationId)).status).toBe("SUCCEEDED");
    const [first, second] = f.serverIds as [string, string];
    expect(f.gateway.calls).toEqual([
      { kind: "retire", serverId: first, service: "shop--web" },
      { kind: "remove", serverId: first, ids: images[first] },
      { kind: "retire", serverId: second, service: "shop--web" },
      { kind: "remove", serverId: second, ids: images[second] },
    ]);
    expect(f.gateway.images.get(first)).toEqual([]);
    // Each server is checked before anything is removed; DNS only once no server serves it; the rows last.
    expect(events.map((e) => e.step).filter((step, i, all) => step !== all[i - 1])).toEqual(["check", "retire", "images", "retire", "images", "dns", "forget", "finished"]);
    expect(events.filter((e) => e.step === "dns").map((e) => e.message)).toEqual(["shop.example.test has no A records now", "DNS in step: 0 created, 0 updated, 2 deleted"]);
    expect(aRecords(f.sim)).toEqual([]);
    expect(await db.ownedDnsRecord.count({ where: { hostname: "shop.example.test" } })).toBe(0);
    expect(await db.service.count({ where: { id: rawId(f.serviceId) } })).toBe(0);
    expect(await db.deployment.count({ where: { serviceId: rawId(f.serviceId) } })).toBe(0);
    // The operation outlives the service it deleted, and the deletion is audited.
    expect((await operationOf(f, operationId)).serviceId).toBeNull();
    const audited = await db.auditLogEntry.findMany({ where: { action: "deleteService" }, orderBy: { createdAt: "asc" } });
    expect(audited.map((a) => a.outcome)).toEqual(["CONFLICT", "ok", "CONFLICT"]);
  });
});

describe("deleting a service while it is deployed, at the same instant", () => {
  let f: DomainsFixture;
  beforeAll(async () => (f = await deployedService()));
  afterAll(() => f?.stop());

  it("lets exactly one of two deletions and two deploys start; the others are conflicts, not deadlocks", async () => {
    const { deps } = f.server.app;
    const viewer = await viewerFor(f.server, f.server.adminToken);
    const serviceId = rawId(f.serviceId);
    const deploy = { serviceId, source: { type: "IMAGE", image: "registry.test/shop/web:2" }, serverIds: f.serverIds };
    const outcomes = await Promise.allSettled([
      deleteServiceNow(deps, viewer, { id: serviceId }).then((r) => r.operation!),
      createDeployment(deps, viewer, deploy).then((r) => r.operation),
      deleteServiceNow(deps, viewer, { id: serviceId }).then((r) => r.operation!),
      createDeployment(deps, viewer, deploy).then((r) => r.operation),
    ]);
    const started = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as Error] : []));
    expect(started, refused.map((e) => e.message).join("; ")).toHaveLength(1);
    expect(refused.map((e) => e.constructor.name)).toEqual(["ConflictError", "ConflictError", "ConflictError"]);
    expect(await eventsUntilEnd(f, gid("Operation", started[0]!.id))).toContainEqual(expect.objectContaining({ step: "finished" }));
    expect((await operationOf(f, gid("Operation", started[0]!.id))).status).toBe("SUCCEEDED");
  });
});

describe("deleting a service when a server cannot be reached", () => {
  let f: DomainsFixture;
  beforeAll(async () => (f = await deployedService()));
  afterAll(() => f?.stop());

  it("fails naming the server before anything is removed when it is down from the start", async () => {
    const [, second] = f.serverIds as [string, string];
    f.gateway.unreachable.add(second);
    try {
      const deleted = await deleteService(f);
      const events = await eventsUntilEnd(f, deleted.data.operation.id);
      const operation = await operationOf(f, deleted.data.operation.id);
      expect(operation.status).toBe("FAILED");
      expect(operation.error).toMatch(/^dns-host-1 could not be reached \(the connection to the agent broke .+\): nothing was removed; delete it again once the server answers$/);
      expect(events.at(-1)).toMatchObject({ step: "finished", level: "ERROR" });
      expect(f.gateway.calls).toEqual([]);
      await expectServiceKept(f, 2);
    } finally {
      f.gateway.unreachable.delete(second);
    }
  });

  it("fails naming the server lost midway and keeps the service with what is left; deleting it again finishes", async () => {
    const [first, second] = f.serverIds as [string, string];
    f.gateway.beforeRetire = async (serverId) => {
      if (serverId === second) throw new ServerUnreachableError(second, "no word from the agent for 6s");
    };
    const failed = await deleteService(f);
    await eventsUntilEnd(f, failed.data.operation.id);
    expect((await operationOf(f, failed.data.operation.id)).error).toBe(
      "dns-host-1 could not be reached (no word from the agent for 6s): the service is kept with what is left; delete it again once the server answers",
    );
    expect(f.gateway.calls.map((c) => `${c.kind} ${"serverId" in c ? c.serverId : ""}`)).toEqual([`retire ${first}`, `remove ${first}`, `retire ${second}`]);
    // The first server runs nothing of it now; the second still does, and DNS is untouched.
    await expectServiceKept(f, 1);

    f.gateway.beforeRetire = null;
    f.gateway.calls.length = 0;
    const retried = await deleteService(f);
    expect(retried.data.removed.servers.map((s: { serverName: string }) => s.serverName)).toEqual(["dns-host-0", "dns-host-1"]);
    await eventsUntilEnd(f, retried.data.operation.id);
    expect((await operationOf(f, retried.data.operation.id)).status).toBe("SUCCEEDED");
    // Retiring again where it is gone already is harmless; only the second server still had images.
    expect(f.gateway.calls.map((c) => `${c.kind} ${"serverId" in c ? c.serverId : ""}`)).toEqual([`retire ${first}`, `retire ${second}`, `remove ${second}`]);
    expect(aRecords(f.sim)).toEqual([]);
    expect(await f.server.app.deps.db.service.count({ where: { id: rawId(f.serviceId) } })).toBe(0);
  });
});

async function expectServiceKept(f: DomainsFixture, runningOn: number) {
  const { db } = f.server.app.deps;
  const serviceId = rawId(f.serviceId);
  expect(await db.service.count({ where: { id: serviceId } })).toBe(1);
  expect(await db.deployment.count({ where: { serviceId } })).toBe(1);
  expect(await db.serviceDomain.count({ where: { serviceId } })).toBe(1);
  expect(await db.serviceServer.count({ where: { serviceId } })).toBe(runningOn);
  expect(aRecords(f.sim)).toEqual(ADDRESSES.map((ip) => `shop.example.test ${ip} proxied`));
}
