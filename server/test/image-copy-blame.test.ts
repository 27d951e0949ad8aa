// Copying an image between two servers (SshServerGateway.copyImage) blames the server that broke:
// two small fake agents on loopback (the tunnel is a plain TCP stream here), one sending a tar
// slowly, one receiving it, and either of them cutting its connection halfway.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../src/db.js";
import { ServerUnreachableError, type ServerConnections } from "../src/domain/ports.js";
import { SshServerGateway } from "../src/domain/servers/ssh-server-gateway.js";
import { AgentClient } from "../src/integrations/agent-client/agent-client.js";

const TOKEN = "t".repeat(64);
const TAG = "slipway/shop-web:deploy_12345678";
const image = { tag: TAG, service: "shop-web", deployment: "00000000-0000-4000-8000-000000000001" };
const CHUNK = Buffer.alloc(64 * 1024, 1);
const CHUNKS = 40;

/** What each fake agent does this time: finish, or cut its connection once it is halfway. */
const behaviour = { sender: "finish" as "finish" | "cut", receiver: "finish" as "finish" | "cut" };
let received = 0;

async function sender(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!req.url?.startsWith("/v1/images/export?")) return void res.writeHead(404).end();
  res.writeHead(200, { "content-type": "application/x-tar" });
  for (let i = 0; i < CHUNKS; i++) {
    if (behaviour.sender === "cut" && i === CHUNKS / 2) return void res.socket?.destroy();
    if (!res.write(CHUNK)) await new Promise((resolve) => res.once("drain", resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  res.end();
}

function receiver(req: IncomingMessage, res: ServerResponse): void {
  if (!req.url?.startsWith("/v1/images/load?")) return void res.writeHead(404).end();
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  let bytes = 0;
  req.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    if (behaviour.receiver === "cut" && bytes >= (CHUNKS / 2) * CHUNK.length) req.socket.destroy();
  });
  req.on("end", () => {
    received = bytes;
    res.end(JSON.stringify({ type: "result", result: { loaded: [TAG] } }) + "\n");
  });
}

const servers: Record<string, Server> = {};
let gateway: SshServerGateway;
const clients: AgentClient[] = [];

beforeAll(async () => {
  servers.sender = createServer((req, res) => void sender(req, res));
  servers.receiver = createServer(receiver);
  await Promise.all(Object.values(servers).map((s) => new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))));
  const connections = {
    agent: (server: { id: string }) => {
      const { port } = servers[server.id]!.address() as AddressInfo;
      const client = new AgentClient({ token: TOKEN, connect: async () => connect({ host: "127.0.0.1", port }) });
      clients.push(client);
      return client;
    },
  } as unknown as ServerConnections;
  // The gateway only looks the server up by id.
  const db = { server: { findUnique: async ({ where }: { where: { id: string } }) => ({ id: where.id }) } } as unknown as Database;
  gateway = new SshServerGateway(db, connections);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(Object.values(servers).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe("copying an image between servers", () => {
  it("streams the whole tar from one agent into the other", async () => {
    Object.assign(behaviour, { sender: "finish", receiver: "finish" });
    await gateway.copyImage(image, "sender", "receiver");
    expect(received).toBe(CHUNKS * CHUNK.length);
  });

  it("blames the receiver when its connection breaks halfway (the sender was fine)", async () => {
    Object.assign(behaviour, { sender: "finish", receiver: "cut" });
    const error = await gateway.copyImage(image, "sender", "receiver").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnreachableError);
    expect(error).toMatchObject({ serverId: "receiver" });
    expect((error as Error).message).toMatch(/^the connection to the agent broke \(/);
  });

  it("blames the sender when its connection breaks halfway", async () => {
    Object.assign(behaviour, { sender: "cut", receiver: "finish" });
    const error = await gateway.copyImage(image, "sender", "receiver").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnreachableError);
    expect(error).toMatchObject({ serverId: "sender" });
    expect((error as Error).message).toMatch(/^lost while sending the image: /);
  });
});
