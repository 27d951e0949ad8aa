// Shared set-up of the domain tests: a control plane with a recording gateway that keeps every
// release request, a Cloudflare simulator as its Cloudflare, and a service on two servers.
import type { ReleaseRequest } from "@slipway/agent/protocol";
import { startCloudflareSimulator, type CloudflareSimulator, type CloudflareSimulatorOptions } from "@slipway/lab/cloudflare";
import { expect } from "vitest";
import type { LineSink } from "../src/domain/ports.js";
import { collect, gid, rawId, startTestServer, type TestServer } from "./harness.js";
import { RecordingGateway } from "./recording-gateway.js";

/** Keeps the whole release request (the base class records a summary without TLS). */
export class TlsRecordingGateway extends RecordingGateway {
  readonly requests: { serverId: string; request: ReleaseRequest }[] = [];

  override async release(serverId: string, request: ReleaseRequest, onLine: LineSink) {
    this.requests.push({ serverId, request });
    return super.release(serverId, request, onLine);
  }
}

export interface DomainsFixture {
  sim: CloudflareSimulator;
  server: TestServer;
  gateway: TlsRecordingGateway;
  serviceId: string;
  serverIds: string[];
  credentialId: string;
  stop(): Promise<void>;
}

export const ADDRESSES = ["203.0.113.10", "203.0.113.11"];

export async function startDomainsFixture(simOptions: CloudflareSimulatorOptions = {}): Promise<DomainsFixture> {
  const sim = await startCloudflareSimulator({ zones: ["example.test"], ...simOptions });
  const gateway = new TlsRecordingGateway();
  const server = await startTestServer({ SLIPWAY_CLOUDFLARE_API_URL: sim.url }, undefined, { servers: gateway });
  const { db } = server.app.deps;
  const serverIds: string[] = [];
  for (const [i, address] of ADDRESSES.entries()) {
    serverIds.push((await db.server.create({ data: { name: `dns-host-${i}`, kind: "SSH_HOST", status: "ACTIVE", publicIpv4: address } })).id);
  }
  const project = await server.gql(`mutation { createProject(input: {name: "shop"}) { ... on MutationCreateProjectSuccess { data { id } } } }`, {}, server.adminToken);
  const service = await server.gql(
    `mutation($p: ID!) { createService(input: {projectId: $p, name: "web", port: 8080}) { ... on MutationCreateServiceSuccess { data { id } } } }`,
    { p: project.data.createProject.data.id },
    server.adminToken,
  );
  const credential = await server.gql(
    `mutation($input: SetCredentialInput!) { setCredential(input: $input) { ... on MutationSetCredentialSuccess { data { id } } } }`,
    { input: { provider: "CLOUDFLARE", token: sim.token } },
    server.adminToken,
  );
  // Saving verifies the token with Cloudflare: under a tight rate limit, let that call leave the
  // window before the test's own calls start counting.
  if (simOptions.rateLimits?.windowMs) await new Promise((resolve) => setTimeout(resolve, simOptions.rateLimits!.windowMs! + 100));
  return {
    sim,
    server,
    gateway,
    serviceId: service.data.createService.data.id,
    serverIds,
    credentialId: credential.data.setCredential.data.id,
    async stop() {
      await server.stop();
      await sim.close();
    },
  };
}

export interface Event {
  seq: number;
  step: string;
  level: string;
  message: string;
}

export async function setDomains(f: DomainsFixture, hostnames: string[]) {
  const result = await f.server.gql(
    `mutation($s: ID!, $h: [String!]!) { setDomains(serviceId: $s, hostnames: $h) {
      __typename ... on MutationSetDomainsSuccess { data { domains } } ... on Error { message } } }`,
    { s: f.serviceId, h: hostnames },
    f.server.adminToken,
  );
  return result.data.setDomains;
}

/** Deploys an image to both servers and waits for the operation to end; returns its events. */
export async function deployAndWait(f: DomainsFixture, image: string): Promise<{ deploymentId: string; events: Event[]; status: string }> {
  const result = await f.server.gql(
    `mutation($input: DeployInput!) { deploy(input: $input) {
      __typename ... on MutationDeploySuccess { data { deployment { id } operation { id } } } ... on Error { message } } }`,
    { input: { serviceId: f.serviceId, source: { type: "IMAGE", image }, serverIds: f.serverIds.map((id) => gid("Server", id)) } },
    f.server.adminToken,
  );
  expect(result.data.deploy.__typename).toBe("MutationDeploySuccess");
  const { deployment, operation } = result.data.deploy.data;
  return { deploymentId: deployment.id, events: await eventsOf(f, operation.id), status: await statusOf(f, deployment.id) };
}

export async function rollbackAndWait(f: DomainsFixture, deploymentId: string): Promise<{ deploymentId: string; events: Event[]; status: string }> {
  const result = await f.server.gql(
    `mutation($id: ID!) { rollback(deploymentId: $id) {
      __typename ... on MutationRollbackSuccess { data { deployment { id } operation { id } } } ... on Error { message } } }`,
    { id: deploymentId },
    f.server.adminToken,
  );
  expect(result.data.rollback.__typename).toBe("MutationRollbackSuccess");
  const { deployment, operation } = result.data.rollback.data;
  return { deploymentId: deployment.id, events: await eventsOf(f, operation.id), status: await statusOf(f, deployment.id) };
}

async function eventsOf(f: DomainsFixture, operationId: string): Promise<Event[]> {
  const { values } = await collect<{ operationEvents: Event }>(
    f.server.ws(f.server.adminToken),
    `subscription($id: ID!) { operationEvents(operationId: $id) { seq step level message } }`,
    { id: operationId },
  ).done;
  return values.map((v) => v.operationEvents);
}

async function statusOf(f: DomainsFixture, deploymentId: string): Promise<string> {
  const result = await f.server.gql(`query($id: ID!) { node(id: $id) { ... on Deployment { status } } }`, { id: deploymentId }, f.server.adminToken);
  return result.data.node.status;
}

/** The simulator's A records, as "name content proxied" lines. */
export function aRecords(sim: CloudflareSimulator): string[] {
  return [...sim.state.records.values()]
    .flatMap((zone) => [...zone.values()])
    .filter((r) => r.type === "A")
    .map((r) => `${r.name} ${r.content} ${r.proxied ? "proxied" : "dns-only"}`)
    .sort();
}

export { gid, rawId };
