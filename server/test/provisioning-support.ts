// Shared by the provisioning tests: GraphQL documents, a DigitalOcean credential pointing at the
// simulator, and following an operation to its end.
import { expect } from "vitest";
import { collect, gid as globalId, type Event, type TestServer } from "./harness.js";

export const EVENTS = `subscription($id: ID!) { operationEvents(operationId: $id) { seq step level message serverId } }`;
export const CREATE_SNAPSHOT = `mutation($input: CreateSnapshotInput!) { createSnapshot(input: $input) {
  __typename
  ... on MutationCreateSnapshotSuccess { data { id kind status title } }
  ... on Error { message }
  ... on ValidationError { fieldErrors { path message } }
} }`;
export const DELETE_SNAPSHOT = `mutation($id: ID!) { deleteSnapshot(id: $id) {
  __typename
  ... on MutationDeleteSnapshotSuccess { data { id name status } }
  ... on Error { message }
} }`;
export const PROVISION = `mutation($input: ProvisionServersInput!) { provisionServers(input: $input) {
  __typename
  ... on MutationProvisionServersSuccess { data { id kind status title } }
  ... on Error { message }
  ... on ValidationError { fieldErrors { path message } }
} }`;
export const DELETE_SERVER = `mutation($id: ID!, $force: Boolean) { deleteServer(id: $id, force: $force) {
  __typename
  ... on MutationDeleteServerSuccess { data { id kind status title } }
  ... on Error { message }
} }`;
export const SNAPSHOTS = `{ snapshots(first: 20) { totalCount edges { node { id name providerId regions agentVersion status } } } }`;

export async function storeDigitalOceanToken(server: TestServer, token: string): Promise<void> {
  const result = await server.gql(
    `mutation($input: SetCredentialInput!) { setCredential(input: $input) { __typename } }`,
    { input: { provider: "DIGITALOCEAN", token } },
    server.adminToken,
  );
  expect(result.data.setCredential.__typename).toBe("MutationSetCredentialSuccess");
}

/** Follows the operation to its end over the real subscription; returns its events. */
export async function follow(server: TestServer, operationGlobalId: string): Promise<Event[]> {
  const result = await collect<{ operationEvents: Event }>(server.ws(server.adminToken), EVENTS, { id: operationGlobalId }).done;
  expect(result.errors).toEqual([]);
  return result.values.map((v) => v.operationEvents);
}

/** Runs a mutation that starts an operation and follows it; returns the operation and its events. */
export async function runOperation(server: TestServer, document: string, variables: Record<string, unknown>, field: string) {
  const result = await server.gql(document, variables, server.adminToken);
  const payload = result.data?.[field];
  if (!payload?.data) throw new Error(`${field} did not start: ${JSON.stringify(result)}`);
  const id = Buffer.from(payload.data.id, "base64").toString().split(":")[1]!;
  // PROV_DEBUG=1 prints the events as they are stored (for a run that hangs).
  let printed = 0;
  const debug = process.env.PROV_DEBUG
    ? setInterval(async () => {
        const stored = await server.app.deps.db.operationEvent.findMany({ where: { operationId: id, seq: { gt: printed } }, orderBy: { seq: "asc" } });
        for (const e of stored) console.log(`[${field} ${e.seq}] ${e.step} ${e.level} ${e.message}`);
        printed = stored.at(-1)?.seq ?? printed;
      }, 500)
    : undefined;
  const events = await follow(server, payload.data.id).finally(() => clearInterval(debug));
  const operation = await server.app.deps.db.operation.findUniqueOrThrow({ where: { id } });
  return { operation, events };
}

export { globalId, type Event };
