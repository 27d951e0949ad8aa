// The agent client's protocol handling, against a small fake agent on loopback (the tunnel is a
// plain TCP stream here; servers.test.ts runs the same client through SSH to the real agent).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { Readable } from "node:stream";
import { ImageSummary } from "@slipway/agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STREAM_SILENCE_LIMIT_MS } from "@slipway/agent/protocol";
import { AgentClient, AgentRequestError, AgentUnreachableError, streamResult } from "../src/integrations/agent-client/agent-client.js";

const TOKEN = "t".repeat(64);
const image = { id: "sha256:abc", tags: ["slipway/shop-web:deploy_12345678"], sizeBytes: 10, createdAt: "2026-01-01T00:00:00Z", service: "web", deployment: null, inUse: false };
const seen: { method: string; url: string; auth: string | undefined; type: string | undefined; body: Buffer }[] = [];
let fake: Server;
let client: AgentClient;
let opened = 0;
let dropped = 0;

async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const url = req.url ?? "";
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { error: { code: "unauthorized", message: "bad token" } });
  if (url === "/v1/health") {
    return json(res, 200, { version: "9.9.9", uptimeSeconds: 1, docker: { ok: true, version: "27", error: null }, nginx: { ok: true, error: null } });
  }
  if (url === "/v1/stats") return json(res, 200, { cpuPercent: "not a number" });
  if (url.startsWith("/v1/images/build?")) {
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    res.write(JSON.stringify({ type: "log", step: "build", line: `got ${body.length} bytes` }) + "\n");
    res.write(JSON.stringify({ type: "heartbeat" }) + "\n");
    // A line split across two writes must still arrive whole.
    const log = JSON.stringify({ type: "log", step: "build", line: "Step 1/1 : FROM x" }) + "\n";
    res.write(log.slice(0, 10));
    await new Promise((r) => setTimeout(r, 20));
    res.write(log.slice(10));
    return void res.end(JSON.stringify({ type: "result", result: image }) + "\n");
  }
  if (url === "/v1/images/pull" && JSON.parse(body.toString("utf8")).image === "silent:1") {
    // Answers, says one thing, then nothing: a server cut off mid-step.
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    return void res.write(JSON.stringify({ type: "log", step: "pull", line: "Pulling" }) + "\n");
  }
  if (url === "/v1/images/pull") {
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    return void res.end(JSON.stringify({ type: "error", code: "pull_failed", message: "manifest unknown" }) + "\n");
  }
  if (url === "/v1/releases") {
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    return void res.end("this is not json\n");
  }
  if (url.startsWith("/v1/images/load?")) {
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    res.write(JSON.stringify({ type: "heartbeat" }) + "\n");
    return void res.end(JSON.stringify({ type: "result", result: { loaded: [body.toString("utf8")] } }) + "\n");
  }
  if (url === "/v1/releases/silent") return; // never answers
  if (url === "/v1/releases/give-up") {
    // An agent older than giving up answers 404 like any unknown path.
    if (JSON.parse(body.toString("utf8")).service === "old") return json(res, 404, { error: { code: "not_found", message: "no endpoint /v1/releases/give-up" } });
    return json(res, 200, { outcome: "gave_up" });
  }
  if (url === "/v1/images/export?tag=slipway%2Fshop-web%3Adeploy_12345678") {
    res.writeHead(200, { "content-type": "application/x-tar" });
    return void res.end(Buffer.from("TARBYTES"));
  }
  if (url === "/v1/services/web") return json(res, 404, { error: { code: "not_found", message: "no service web" } });
  // Closes the connection instead of answering, once per path: a kept-alive connection the agent
  // closed just as the client reused it.
  const flaky = url === "/v1/images?service=flaky" || (url === "/v1/images/remove" && body.toString("utf8").includes('"flaky"'));
  if (flaky && dropped++ % 2 === 0) return void req.socket.destroy();
  if (url === "/v1/images?service=flaky") return json(res, 200, { images: [image] });
  if (url === "/v1/images/remove") {
    return json(res, 200, { removed: JSON.parse(body.toString("utf8")).ids, reclaimedBytes: 5, refused: [] });
  }
  json(res, 500, "not in the protocol");
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

function clientWith(token: string): AgentClient {
  const { port } = fake.address() as AddressInfo;
  return new AgentClient({
    token,
    connect: async () => {
      opened += 1;
      return connect({ host: "127.0.0.1", port });
    },
  });
}

beforeAll(async () => {
  fake = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, type: req.headers["content-type"], body });
      void handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  client = clientWith(TOKEN);
});

afterAll(async () => {
  await client.close();
  await new Promise((resolve) => fake.close(resolve));
});

describe("the agent client", () => {
  it("sends the bearer token and validates JSON answers", async () => {
    expect((await client.health()).version).toBe("9.9.9");
    expect(seen.at(-1)).toMatchObject({ method: "GET", url: "/v1/health", auth: `Bearer ${TOKEN}` });
    await expect(client.stats()).rejects.toThrow(/not in the expected shape/);
    expect(opened).toBeGreaterThanOrEqual(1);
  });

  it("streams NDJSON lines from a streamed request body and returns the validated result", async () => {
    const context = Readable.from([Buffer.alloc(70_000, 1), Buffer.alloc(30_000, 2)]);
    const lines: unknown[] = [];
    const built = await streamResult(
      client.build({ tag: "slipway/shop-web:deploy_12345678", service: "web", deployment: "00000000-0000-4000-8000-000000000001" }, context),
      ImageSummary,
      (line) => void lines.push(line),
    );
    expect(built).toEqual(image);
    expect(lines).toEqual([
      { type: "log", step: "build", line: "got 100000 bytes" },
      { type: "log", step: "build", line: "Step 1/1 : FROM x" },
    ]);
    expect(seen.at(-1)).toMatchObject({
      method: "POST",
      url: "/v1/images/build?tag=slipway%2Fshop-web%3Adeploy_12345678&service=web&deployment=00000000-0000-4000-8000-000000000001",
      type: "application/x-tar",
    });
  });

  it("asks a read again once when its connection closes before the answer, and never a write", async () => {
    const asked = () => seen.filter((s) => s.url === "/v1/images?service=flaky").length;
    expect(await client.listImages("flaky")).toEqual({ images: [image] });
    expect(asked()).toBe(2);
    const removes = seen.length;
    await expect(client.removeImages(["flaky"])).rejects.toBeInstanceOf(AgentUnreachableError);
    expect(seen.length - removes).toBe(1);
  });

  it("turns an error line, a line outside the protocol and an agent error into AgentRequestError", async () => {
    const pull = client.pull({ image: "nginx:1", tag: "slipway/a:deploy_1", service: "web", deployment: "00000000-0000-4000-8000-000000000001" });
    await expect(streamResult(pull, ImageSummary)).rejects.toMatchObject({ name: "AgentRequestError", code: "pull_failed", message: "manifest unknown" });

    const release = client.release({
      service: "web", deployment: "00000000-0000-4000-8000-000000000001", image: "slipway/a:deploy_1", port: 3000, env: {},
      healthCheck: { path: "/", timeoutSeconds: 5 }, domains: [],
    });
    await expect(release.next()).rejects.toThrow(/not JSON/);

    const missing = client.serviceStatus("web");
    await expect(missing).rejects.toBeInstanceOf(AgentRequestError);
    await expect(missing).rejects.toMatchObject({ status: 404, code: "not_found", message: "no service web" });

    const wrongToken = clientWith("w".repeat(64));
    try {
      const refused = wrongToken.health();
      await expect(refused).rejects.toMatchObject({ status: 401, code: "unauthorized" });
      await expect(refused).rejects.not.toThrow(/w{64}/);
    } finally {
      await wrongToken.close();
    }
  });

  it("gives a stream up as lost once the agent falls silent for longer than its heartbeats allow", async () => {
    const lines: unknown[] = [];
    const t0 = Date.now();
    const pull = client.pull({ image: "silent:1", tag: "slipway/a:deploy_1", service: "web", deployment: "00000000-0000-4000-8000-000000000001" });
    const error = await streamResult(pull, ImageSummary, (line) => void lines.push(line)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentUnreachableError);
    expect(error).toMatchObject({ message: `no word from the agent for ${STREAM_SILENCE_LIMIT_MS / 1000}s` });
    expect(lines).toEqual([{ type: "log", step: "pull", line: "Pulling" }]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(STREAM_SILENCE_LIMIT_MS - 100);
  });

  it("names why the tunnel broke when its transport knows (an SSH connection given up), else what the socket said", async () => {
    const { port } = fake.address() as AddressInfo;
    let tunnel: Socket | null = null;
    let loss: string | null = null;
    const tunnelled = new AgentClient({
      token: TOKEN,
      tunnelLoss: () => loss,
      connect: async () => (tunnel = connect({ host: "127.0.0.1", port })),
    });
    const cutMidStream = async () => {
      const pull = tunnelled.pull({ image: "silent:1", tag: "slipway/a:deploy_1", service: "web", deployment: "00000000-0000-4000-8000-000000000001" });
      return streamResult(pull, ImageSummary, () => void tunnel!.destroy()).catch((e: unknown) => e);
    };
    try {
      const plain = await cutMidStream();
      expect(plain).toBeInstanceOf(AgentUnreachableError);
      expect((plain as Error).message).toMatch(/^the connection to the agent broke \((other side )?closed\)$/);
      loss = "the server answered none of 6 SSH keepalives 1 s apart";
      const named = await cutMidStream();
      expect(named).toBeInstanceOf(AgentUnreachableError);
      expect((named as Error).message).toBe("the connection to the agent broke (the server answered none of 6 SSH keepalives 1 s apart)");
    } finally {
      await tunnelled.close();
    }
  });

  it("refuses requests the protocol forbids before sending them (streams at once, calls by rejecting)", async () => {
    const before = seen.length;
    await expect(client.serviceStatus("../etc")).rejects.toThrow();
    expect(() => client.pull({ image: "UPPER CASE", tag: "x", service: "web", deployment: "nope" })).toThrow();
    await expect(client.removeImages(Array.from({ length: 501 }, (_, i) => String(i)))).rejects.toThrow();
    expect(seen.length).toBe(before);
  });

  it("gives a deployment's release up: a checked request, a validated answer, an old agent's 404 as AgentRequestError", async () => {
    const dep = "00000000-0000-4000-8000-000000000001";
    expect(await client.giveUp("web", dep)).toEqual({ outcome: "gave_up" });
    expect(seen.at(-1)).toMatchObject({ method: "POST", url: "/v1/releases/give-up", type: "application/json" });
    expect(JSON.parse(seen.at(-1)!.body.toString("utf8"))).toEqual({ service: "web", deployment: dep });
    await expect(client.giveUp("old", dep)).rejects.toThrow(new AgentRequestError(404, "not_found", "no endpoint /v1/releases/give-up"));
    const before = seen.length;
    await expect(client.giveUp("web", "not-a-uuid")).rejects.toThrow();
    expect(seen.length).toBe(before);
  });

  it("loads a streamed tar, exports one as a stream, and removes images", async () => {
    const dep = "00000000-0000-4000-8000-000000000001";
    expect(await client.load({ service: "web", deployment: dep }, Readable.from([Buffer.from("slipway/a:"), Buffer.from("deploy_1")]))).toEqual({ loaded: ["slipway/a:deploy_1"] });
    expect(seen.at(-1)).toMatchObject({ url: `/v1/images/load?service=web&deployment=${dep}` });
    const exported = await client.export("slipway/shop-web:deploy_12345678");
    const chunks: Buffer[] = [];
    for await (const chunk of exported) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("TARBYTES");
    expect(await client.removeImages(["sha256:abc"])).toEqual({ removed: ["sha256:abc"], reclaimedBytes: 5, refused: [] });
  });
});
