// Acceptance of "DigitalOcean provisioning and snapshots, Cloudflare DNS and HTTPS", end to end on
// the lab and only through the GraphQL API: a snapshot made on a real lab host by the DigitalOcean
// simulator, two servers provisioned from it, a static site deployed to both with
// app.example.test, served over HTTPS by each (origin certificate trusted through the lab CA
// only), proxied A records on the Cloudflare simulator, and a server deleted: its record goes, the
// other stays and still serves. The hosts live in a lab instance of this suite's own, torn down
// before and after; every name here starts with "acc-<suffix>".
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startCloudflareSimulator, type CloudflareSimulator } from "@slipway/lab/cloudflare";
import { startDigitalOceanSimulator, type DigitalOceanSimulator } from "@slipway/lab/digitalocean";
import { Lab } from "@slipway/lab/hosts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aRecords } from "./domains-fixture.js";
import { createProjectAndService, deployArchive, deploymentState, follow as followDeploy, httpsGet, labBaseImagesEnv, setDomains } from "./e2e-support.js";
import { tarGz } from "./fixtures/sources/archives.js";
import { collect, startTestServer, type TestServer } from "./harness.js";
import { CREATE_SNAPSHOT, DELETE_SERVER, PROVISION, SNAPSHOTS, type Event } from "./provisioning-support.js";

const suffix = randomBytes(2).toString("hex");
const PREFIX = `acc-${suffix}`;
const SNAPSHOT_NAME = `acc-snap-${suffix}`;
const APP = "app.example.test";
const PAGE = `<h1>acceptance ${suffix}</h1>\n`;
const lab = new Lab({ instance: "srv-accept" });
let dataDir: string;
let doSim: DigitalOceanSimulator;
let cfSim: CloudflareSimulator;
let server: TestServer;

interface ServerNode {
  id: string;
  name: string;
  publicIpv4: string | null;
  status: string;
  managed: boolean;
  kind: string;
}
let servers: ServerNode[] = [];
let snapshotId: string;
let serviceId: string;

// Only this file's hosts: the snapshot's build droplet and the provisioned servers.
const ownHosts = () => lab.list().filter((h) => h.name.startsWith(`${PREFIX}-`) || h.name.startsWith(SNAPSHOT_NAME));

const SERVERS = `{ servers(first: 50) { edges { node { id name publicIpv4 status managed kind } } } }`;
const OPERATION = `query($id: ID!) { node(id: $id) { ... on Operation { status error kind } } }`;

/** Starts an operation with a mutation, follows its events over the subscription to the end, and reads its outcome. */
async function runThroughApi(document: string, variables: Record<string, unknown>, field: string) {
  const result = await server.gql(document, variables, server.adminToken);
  const payload = result.data?.[field];
  if (!payload?.data?.id) throw new Error(`${field} did not start: ${JSON.stringify(result)}`);
  const followed = await collect<{ operationEvents: Event }>(server.ws(server.adminToken), `subscription($id: ID!) {
    operationEvents(operationId: $id) { seq step level message serverId } }`, { id: payload.data.id }).done;
  expect(followed.errors).toEqual([]);
  const events = followed.values.map((v) => v.operationEvents);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  const operation = (await server.gql(OPERATION, { id: payload.data.id }, server.adminToken)).data.node as { status: string; error: string | null };
  const visible = JSON.stringify({ events: events.filter((e) => e.level !== "DEBUG").slice(-12) });
  return { operation, events, visible };
}

async function listServers(): Promise<ServerNode[]> {
  const result = await server.gql(SERVERS, {}, server.adminToken);
  return (result.data.servers.edges as { node: ServerNode }[]).map((e) => e.node).sort((a, b) => a.name.localeCompare(b.name));
}

async function setCredential(provider: "DIGITALOCEAN" | "CLOUDFLARE", token: string): Promise<void> {
  const result = await server.gql(
    `mutation($input: SetCredentialInput!) { setCredential(input: $input) { __typename ... on Error { message } } }`,
    { input: { provider, token } },
    server.adminToken,
  );
  expect(result.data?.setCredential?.__typename, JSON.stringify(result)).toBe("MutationSetCredentialSuccess");
}


/** Polls until the address answers over HTTPS (lab CA trusted) with the page. */
async function waitHttps(address: string, timeoutMs = 20_000): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await httpsGet(address, APP, cfSim.caCertPem).catch((error: Error) => ({ status: 0, body: error.message }));
    if (answer.status === 200 && answer.body === PAGE) return answer;
    if (Date.now() > deadline) return answer;
    await sleep(200);
  }
}

/** The error code of an HTTPS request that does not trust the lab CA ("trusted" if it went through). */
const untrustedOutcome = (address: string) =>
  httpsGet(address, APP).then(
    () => "trusted",
    (error: NodeJS.ErrnoException) => String(error.code),
  );

describe("acceptance: DigitalOcean provisioning and snapshots, Cloudflare DNS and HTTPS", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    lab.preflight();
    await lab.teardown();
    dataDir = mkdtempSync(path.join(tmpdir(), "slipway-acc-"));
    doSim = await startDigitalOceanSimulator({ provider: lab, actionDelayMs: 100 });
    cfSim = await startCloudflareSimulator({ zones: ["example.test"] });
    server = await startTestServer({ ...labBaseImagesEnv(lab), SLIPWAY_DIGITALOCEAN_API_URL: doSim.url, SLIPWAY_CLOUDFLARE_API_URL: cfSim.url }, dataDir);
    await setCredential("DIGITALOCEAN", doSim.token);
    await setCredential("CLOUDFLARE", cfSim.token);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await doSim?.close();
    await cfSim?.close();
    await lab.teardown();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it("creates a snapshot on a lab host", async () => {
    const t0 = Date.now();
    const { operation, events, visible } = await runThroughApi(CREATE_SNAPSHOT, { input: { name: SNAPSHOT_NAME } }, "createSnapshot");
    expect(operation, visible).toMatchObject({ status: "SUCCEEDED", error: null });
    expect(events.at(-1)).toMatchObject({ step: "finished", message: "Succeeded" });
    const snapshot = ((await server.gql(SNAPSHOTS, {}, server.adminToken)).data.snapshots.edges as { node: { id: string; name: string; status: string } }[])
      .map((e) => e.node)
      .find((n) => n.name === SNAPSHOT_NAME);
    expect(snapshot).toMatchObject({ status: "AVAILABLE" });
    snapshotId = snapshot!.id;
    // The temporary build droplet is gone, and so is its lab host.
    await doSim.settled();
    expect(ownHosts()).toEqual([]);
    console.log(`snapshot: ${Date.now() - t0} ms`);
  });

  it("provisions two servers from it", async () => {
    const t0 = Date.now();
    const { operation, visible } = await runThroughApi(PROVISION, { input: { snapshotId, count: 2, namePrefix: PREFIX } }, "provisionServers");
    expect(operation, visible).toMatchObject({ status: "SUCCEEDED", error: null });
    servers = await listServers();
    expect(servers).toHaveLength(2);
    for (const s of servers) {
      expect(s).toMatchObject({ kind: "DROPLET", managed: true, status: "ACTIVE" });
      expect(s.name.startsWith(`${PREFIX}-`)).toBe(true);
      // The droplet is a real lab host at the address the server was recorded with.
      expect(lab.list().find((h) => h.name === s.name)?.ipv4).toBe(s.publicIpv4);
    }
    expect(new Set(servers.map((s) => s.publicIpv4)).size).toBe(2);
    console.log(`provision 2: ${Date.now() - t0} ms`);
  });

  it("deploys a static site with app.example.test to both; each serves it over HTTPS trusted through the lab CA only; DNS holds both proxied A records", async () => {
    expect(servers, "needs the two provisioned servers").toHaveLength(2);
    const t0 = Date.now();
    serviceId = (await createProjectAndService(server, `acc-${suffix}`, [{ name: "site", port: 8080 }])).services.site!;
    await setDomains(server, serviceId, [APP]);
    // setDomains changes nothing outside the database: no record before the deploy.
    expect(aRecords(cfSim)).toEqual([]);

    const started = await deployArchive(server, serviceId, tarGz([{ path: "index.html", body: PAGE }]), "site.tar.gz", servers.map((s) => s.id));
    expect(started.__typename, JSON.stringify(started)).toBe("MutationDeploySuccess");
    const events = await followDeploy(server, started.data!.operation.id);
    const visible = JSON.stringify(events.filter((e) => e.level !== "DEBUG").slice(-12));
    expect(events.at(-1), visible).toMatchObject({ step: "finished", message: "Succeeded" });
    const operation = (await server.gql(OPERATION, { id: started.data!.operation.id }, server.adminToken)).data.node;
    expect(operation).toMatchObject({ status: "SUCCEEDED", error: null });
    const deployment = await deploymentState(server, started.data!.deployment.id);
    expect(deployment.targets.map((t) => `${t.server.name} ${t.state}`).sort(), JSON.stringify(deployment)).toEqual(servers.map((s) => `${s.name} SWITCHED`));
    // The certificate and DNS steps ran without a warning.
    expect(events.filter((e) => (e.step === "certificate" || e.step === "dns") && e.level !== "INFO" && e.level !== "DEBUG"), visible).toEqual([]);

    for (const s of servers) {
      expect(await waitHttps(s.publicIpv4!), s.name).toEqual({ status: 200, body: PAGE });
      expect(await untrustedOutcome(s.publicIpv4!), s.name).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT/);
    }
    expect(aRecords(cfSim)).toEqual(servers.map((s) => `${APP} ${s.publicIpv4} proxied`).sort());

    const statuses = (await server.gql(
      `query($id: ID!) { node(id: $id) { ... on Service { domainStatuses { hostname configured live dnsRecordsSynced certificate { hostnames } } } } }`,
      { id: serviceId },
      server.adminToken,
    )).data.node.domainStatuses;
    expect(statuses).toEqual([{ hostname: APP, configured: true, live: true, dnsRecordsSynced: true, certificate: { hostnames: [APP] } }]);
    console.log(`deploy to 2 with HTTPS and DNS: ${Date.now() - t0} ms`);
  });

  it("deletes one server: its droplet, host and A record are gone; the other's record remains and it still serves over HTTPS", async () => {
    expect(servers, "needs the two provisioned servers").toHaveLength(2);
    const t0 = Date.now();
    const [gone, kept] = servers as [ServerNode, ServerNode];
    const { operation, events, visible } = await runThroughApi(DELETE_SERVER, { id: gone.id }, "deleteServer");
    expect(operation, visible).toMatchObject({ status: "SUCCEEDED", error: null });
    // Routing to it was stopped without a problem (no "Could not stop routing" warning).
    expect(events.filter((e) => e.level === "WARN" || e.level === "ERROR"), visible).toEqual([]);

    expect(aRecords(cfSim)).toEqual([`${APP} ${kept.publicIpv4} proxied`]);
    await doSim.settled();
    expect([...doSim.state.droplets.values()].map((d) => d.name)).toEqual([kept.name]);
    expect(lab.list().map((h) => h.name)).not.toContain(gone.name);
    expect((await listServers()).map((s) => s.name)).toEqual([kept.name]);

    expect(await waitHttps(kept.publicIpv4!, 5_000)).toEqual({ status: 200, body: PAGE });
    expect(await untrustedOutcome(kept.publicIpv4!)).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT/);
    console.log(`delete one: ${Date.now() - t0} ms`);
  });
});
