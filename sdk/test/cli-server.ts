// A real control plane for the CLI tests, with one project/service and two servers to deploy to.
import { startTestServer, type TestServer } from "../../server/test/harness.js";
import { RecordingGateway } from "../../server/test/recording-gateway.js";

export interface CliTestServer {
  server: TestServer;
  /** Stands in for SSH and the agents; swap for the lab-backed gateway to run against real servers. */
  gateway: RecordingGateway;
  /** Server database ids by name. */
  servers: Record<"host-a" | "host-b", string>;
}

export async function startCliTestServer(): Promise<CliTestServer> {
  const gateway = new RecordingGateway();
  // `servers adopt` is tried against 127.0.0.1: a private target, which needs the admin setting on.
  const server = await startTestServer({ SLIPWAY_ALLOW_PRIVATE_TARGETS: "1" }, undefined, { servers: gateway });
  const { db } = server.app.deps;
  const servers = {
    "host-a": (await db.server.create({ data: { name: "host-a", kind: "SSH_HOST", status: "ACTIVE", managed: false } })).id,
    "host-b": (await db.server.create({ data: { name: "host-b", kind: "SSH_HOST", status: "ACTIVE", managed: false } })).id,
  };
  const project = await server.gql(`mutation { createProject(input: {name: "shop"}) { ... on MutationCreateProjectSuccess { data { id } } } }`, {}, server.adminToken);
  await server.gql(
    `mutation($p: ID!) { createService(input: {projectId: $p, name: "web", port: 8080, healthCheckPath: "/healthz"}) { __typename } }`,
    { p: project.data.createProject.data.id },
    server.adminToken,
  );
  return { server, gateway, servers };
}
