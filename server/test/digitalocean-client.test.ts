// The DigitalOcean client against the lab simulator over real HTTP on loopback.
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { NullHostProvider, startDigitalOceanSimulator, type DigitalOceanSimulator, type DigitalOceanSimulatorOptions } from "@slipway/lab/digitalocean";
import { Agent, request, type Dispatcher } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import {
  DigitalOceanActionError, DigitalOceanApiError, DigitalOceanClient, DigitalOceanRateLimitError, UnmanagedDropletError,
  type DigitalOceanClientOptions, type TransportEvent,
} from "../src/integrations/digitalocean/index.js";
import { InProcessRateBudget } from "../src/infra/in-process/rate-budget.js";

const DROPLET = { region: "nyc3", size: "s-1vcpu-1gb", image: "debian-12-x64" } as const;

let sim: DigitalOceanSimulator | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await sim?.close();
  sim = undefined;
});

async function start(options: DigitalOceanSimulatorOptions = {}) {
  sim = await startDigitalOceanSimulator({ actionDelayMs: 20, provider: new NullHostProvider(), ...options });
  return sim;
}

/** A client with fast test timings; records every request it sends and every wait. */
function clientFor(target: { url: string; token: string }, options: Partial<DigitalOceanClientOptions> = {}) {
  const sent: string[] = [];
  const events: TransportEvent[] = [];
  const agent = new Agent();
  closers.push(() => agent.close());
  const dispatcher = agent.compose((dispatch: Dispatcher["dispatch"]) => (opts, handler) => {
    sent.push(`${opts.method} ${opts.path}`);
    return dispatch(opts, handler);
  });
  const client = new DigitalOceanClient({
    token: target.token,
    apiUrl: target.url,
    rateBudget: new InProcessRateBudget(),
    requestTimeoutMs: 2_000,
    retry: { attempts: 4, baseDelayMs: 10, maxDelayMs: 50 },
    rateLimit: { initialWaitMs: 50, maxWaitMs: 5_000, totalWaitMs: 120_000 },
    actions: { pollIntervalMs: 10, maxPollIntervalMs: 50, timeoutMs: 10_000 },
    dispatcher,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { client, sent, events };
}

/** Creates a droplet without the managed tag, the way someone outside Slipway would. */
async function createUnmanaged(name: string, tags: string[] = []): Promise<number> {
  const res = await request(`${sim!.url}/v2/droplets`, {
    method: "POST",
    headers: { authorization: `Bearer ${sim!.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name, ...DROPLET, tags }),
  });
  const body = (await res.body.json()) as { droplet: { id: number } };
  expect(res.statusCode).toBe(202);
  return body.droplet.id;
}

function opensshPublicKey(): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  const blob = Buffer.concat(
    [Buffer.from("ssh-ed25519"), raw].flatMap((part) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(part.length);
      return [length, part];
    }),
  );
  return `ssh-ed25519 ${blob.toString("base64")} slipway@test`;
}

/**
 * A loopback proxy in front of the simulator that forwards every call, but for calls matching
 * `lose` it lets the simulator act and then drops the connection: the client never sees the answer.
 */
async function lossyProxy(upstream: string, lose: { match: RegExp; times: number; mode: "reset" | "stall" }) {
  let left = lose.times;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const answer = await request(`${upstream}${req.url}`, {
        method: req.method as Dispatcher.HttpMethod,
        headers: { authorization: req.headers.authorization ?? "", "content-type": "application/json" },
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      const text = await answer.body.text();
      if (left > 0 && lose.match.test(`${req.method} ${req.url}`)) {
        left -= 1;
        if (lose.mode === "reset") req.socket.destroy();
        return; // "stall": never answer; the client's deadline runs out
      }
      const headers = Object.fromEntries(Object.entries(answer.headers).filter(([k]) => k.startsWith("ratelimit-") || k === "content-type"));
      res.writeHead(answer.statusCode, headers as Record<string, string>).end(text);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("DigitalOcean client: reads", () => {
  it("reads the account, regions, sizes, images and ensures a tag", async () => {
    const { client } = clientFor(await start());
    expect((await client.getAccount()).email).toBe("lab@slipway.test");
    expect((await client.listRegions()).map((r) => r.slug)).toContain("nyc3");
    expect((await client.listSizes()).map((s) => s.slug)).toContain("s-1vcpu-1gb");
    expect((await client.listImages({ type: "distribution" })).map((i) => i.slug)).toEqual(["debian-12-x64", "ubuntu-24-04-x64"]);
    expect((await client.ensureTag("slipway-managed")).name).toBe("slipway-managed");
    expect((await client.ensureTag("slipway-managed")).name).toBe("slipway-managed");
    expect(await client.getImage(999)).toBeUndefined();
  });

  it("registers an SSH key once, by fingerprint", async () => {
    const { client } = clientFor(await start());
    const publicKey = opensshPublicKey();
    const first = await client.ensureSshKey({ name: "slipway", publicKey });
    const again = await client.ensureSshKey({ name: "slipway-again", publicKey });
    expect(again.id).toBe(first.id);
    expect((await client.listSshKeys()).map((k) => k.id)).toEqual([first.id]);
  });

  it("follows links.pages.next across every page", async () => {
    const sim = await start();
    const { client, sent } = clientFor(sim, { perPage: 2 });
    await client.createDroplets({ names: ["p-1", "p-2", "p-3", "p-4", "p-5"], ...DROPLET });
    await createUnmanaged("outside");
    sent.length = 0;
    const managed = await client.listManagedDroplets();
    expect(managed.map((d) => d.name).sort()).toEqual(["p-1", "p-2", "p-3", "p-4", "p-5"]);
    expect(sent).toEqual([
      "GET /v2/droplets?tag_name=slipway-managed&per_page=2",
      "GET /v2/droplets?tag_name=slipway-managed&per_page=2&page=2",
      "GET /v2/droplets?tag_name=slipway-managed&per_page=2&page=3",
    ]);
  });
});

describe("DigitalOcean client: actions", () => {
  it("creates droplets with the managed tag and follows their create actions to completion", async () => {
    const sim = await start();
    const { client } = clientFor(sim);
    const [web] = await client.createDroplets({ names: ["web-1"], ...DROPLET, tags: ["role-web"], userData: "#cloud-config\n" });
    expect(web!.status).toBe("active");
    expect(web!.tags).toEqual(["slipway-managed", "role-web"]);
    expect(web!.networks.v4?.[0]?.ip_address).toMatch(/^203\.0\.113\./);
    expect(sim.state.droplets.get(web!.id)!.userData).toBe("#cloud-config\n");
  });

  it("turns an errored create action into a clear error", async () => {
    const sim = await start();
    const { client } = clientFor(sim);
    sim.faults.errorNextAction(1, { match: "^doomed$" });
    const failure = await client.createDroplets({ names: ["doomed"], ...DROPLET }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DigitalOceanActionError);
    expect((failure as DigitalOceanActionError).action).toMatchObject({ type: "create", status: "errored" });
    expect((failure as Error).message).toMatch(/^DigitalOcean action \d+ \(create\) on droplet \d+ errored$/);
  });

  it("powers off and snapshots a droplet, following each action; an errored action is an error", async () => {
    const sim = await start();
    const { client } = clientFor(sim);
    const [droplet] = await client.createDroplets({ names: ["snap-src"], ...DROPLET });
    const off = await client.powerOffDroplet(droplet!.id);
    expect(off).toMatchObject({ type: "power_off", status: "completed" });
    expect((await client.getDroplet(droplet!.id))!.status).toBe("off");

    const snapshot = await client.snapshotDroplet(droplet!.id, "slipway-base-1");
    expect(snapshot).toMatchObject({ name: "slipway-base-1", resource_id: String(droplet!.id), resource_type: "droplet" });
    expect((await client.listSnapshots()).map((s) => s.name)).toEqual(["slipway-base-1"]);

    sim.faults.errorNextAction(1, { match: "^snap-src$" });
    await expect(client.powerOnDroplet(droplet!.id)).rejects.toBeInstanceOf(DigitalOceanActionError);

    expect(await client.deleteSnapshot(snapshot.id)).toBe(true);
    expect(await client.deleteSnapshot(snapshot.id)).toBe(false);
    expect(await client.listSnapshots()).toEqual([]);
  });
});

describe("DigitalOcean client: failures", () => {
  it("retries 5xx answers with backoff", async () => {
    const sim = await start();
    const { client, events } = clientFor(sim);
    sim.faults.failNext(2, { status: 503, match: "^GET /v2/account$" });
    expect((await client.getAccount()).status).toBe("active");
    expect(events.map((e) => e.kind === "retry" && [e.attempt, e.reason])).toEqual([
      [2, "status 503"],
      [3, "status 503"],
    ]);
  });

  it("gives up after the configured attempts with DigitalOcean's error", async () => {
    const sim = await start();
    const { client, sent } = clientFor(sim);
    sim.faults.failNext(10, { match: "^GET /v2/account$" });
    const failure = await client.getAccount().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DigitalOceanApiError);
    expect((failure as Error).message).toBe("DigitalOcean GET /v2/account failed with 500 server_error: Server Error");
    expect(sent).toHaveLength(4);
  });

  it("abandons a hung call at its deadline and retries it", async () => {
    const sim = await start();
    const { client, events } = clientFor(sim, { requestTimeoutMs: 1_000 });
    sim.faults.hangNext(1, { match: "^GET /v2/regions$" });
    const started = Date.now();
    expect((await client.listRegions()).length).toBe(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: "retry", attempt: 2 });
    expect((events[0] as { reason: string }).reason).toMatch(/Timeout|UND_ERR/);
  });

  it("never lets the token into an error", async () => {
    const sim = await start();
    const { client } = clientFor({ url: sim.url, token: "dop_v1_not_the_right_token_0123456789" });
    const failure = (await client.getAccount().catch((e: unknown) => e)) as DigitalOceanApiError;
    expect(failure.status).toBe(401);
    expect(JSON.stringify({ ...failure, text: failure.message, stack: failure.stack })).not.toContain("0123456789");
  });
});

describe("DigitalOcean client: rate limits", () => {
  it("waits out a 429 storm and the per-minute limit: no call fails", { timeout: 150_000 }, async () => {
    const sim = await start({ rateLimits: { perMinute: 6, perHour: 1000 } });
    const { client, events } = clientFor(sim);
    sim.faults.rateLimitNext(3);
    const results = await Promise.allSettled(Array.from({ length: 9 }, () => client.getAccount()));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const waits = events.filter((e) => e.kind === "rate-limited");
    expect(waits.length).toBeGreaterThanOrEqual(3 + 3);
    // The last three calls could only pass once the minute's first calls had aged out.
    expect(waits.reduce((sum, e) => sum + e.delayMs, 0)).toBeGreaterThan(5_000);
  });

  it("does not spend a call once the hourly budget is gone; past the allowed wait it fails clearly", async () => {
    const sim = await start({ rateLimits: { perHour: 2 } });
    const { client, sent } = clientFor(sim, { rateLimit: { initialWaitMs: 50, maxWaitMs: 1_000, totalWaitMs: 2_000 } });
    await client.getAccount();
    await client.getAccount(); // ratelimit-remaining: 0, reset in about an hour
    const failure = await client.getAccount().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DigitalOceanRateLimitError);
    expect((failure as Error).message).toMatch(/^DigitalOcean GET \/v2\/account: the rate limit would need a wait of 3[56]\d\d s, more than allowed$/);
    expect(sent).toHaveLength(2);
  });
});

describe("DigitalOcean client: idempotent creates", () => {
  it("adopts the droplet when the create's response is lost after it took effect", async () => {
    const sim = await start();
    const url = await lossyProxy(sim.url, { match: /^POST \/v2\/droplets$/, times: 1, mode: "reset" });
    const { client, sent } = clientFor({ url, token: sim.token });
    const [droplet] = await client.createDroplets({ names: ["once"], ...DROPLET });
    expect([...sim.state.droplets.values()].map((d) => d.name)).toEqual(["once"]);
    expect(droplet).toMatchObject({ name: "once", status: "active" });
    expect(sent.filter((s) => s.startsWith("POST"))).toEqual(["POST /v2/droplets"]);
  });

  it("adopts the droplets when the create times out after it took effect, creating only what is missing", async () => {
    const sim = await start();
    const url = await lossyProxy(sim.url, { match: /^POST \/v2\/droplets$/, times: 1, mode: "stall" });
    const { client, sent, events } = clientFor({ url, token: sim.token }, { requestTimeoutMs: 1_500 });
    await client.createDroplets({ names: ["m-2"], ...DROPLET }, { wait: false });
    const droplets = await client.createDroplets({ names: ["m-1", "m-2", "m-3"], ...DROPLET });
    expect(droplets.map((d) => [d.name, d.status])).toEqual([["m-1", "active"], ["m-2", "active"], ["m-3", "active"]]);
    expect([...sim.state.droplets.values()].map((d) => d.name).sort()).toEqual(["m-1", "m-2", "m-3"]);
    expect(sent.filter((s) => s.startsWith("POST"))).toEqual(["POST /v2/droplets", "POST /v2/droplets"]);
    expect(events.filter((e) => e.kind === "retry")).toHaveLength(1);
  });

  it("creates again when the failed attempt did not take effect", async () => {
    const sim = await start();
    const { client, sent } = clientFor(sim);
    sim.faults.failNext(1, { match: "^POST /v2/droplets$" });
    await client.createDroplets({ names: ["retried"], ...DROPLET });
    expect([...sim.state.droplets.values()].map((d) => d.name)).toEqual(["retried"]);
    expect(sent.filter((s) => s.startsWith("POST"))).toEqual(["POST /v2/droplets", "POST /v2/droplets"]);
  });

  it("returns the same droplet when the whole create is run again, and never adopts a different one", async () => {
    const sim = await start();
    const { client, sent } = clientFor(sim);
    const [first] = await client.createDroplets({ names: ["again"], ...DROPLET });
    sent.length = 0;
    const [second] = await client.createDroplets({ names: ["again"], ...DROPLET });
    expect(second!.id).toBe(first!.id);
    expect(sent.filter((s) => s.startsWith("POST"))).toEqual([]);
    await expect(client.createDroplets({ names: ["again"], ...DROPLET, region: "ams3" })).rejects.toThrow(
      `A managed droplet named again already exists (${first!.id}, nyc3, s-1vcpu-1gb); refusing to adopt it for ams3, s-1vcpu-1gb`,
    );
    expect(sim.state.droplets.size).toBe(1);
  });

  it("adopts an action whose start was lost instead of starting a second one", async () => {
    const sim = await start();
    const direct = clientFor(sim).client;
    const [droplet] = await direct.createDroplets({ names: ["act"], ...DROPLET });
    const url = await lossyProxy(sim.url, { match: /^POST \/v2\/droplets\/\d+\/actions$/, times: 1, mode: "reset" });
    const { client } = clientFor({ url, token: sim.token });
    expect(await client.powerOffDroplet(droplet!.id)).toMatchObject({ type: "power_off", status: "completed" });
    expect([...sim.state.actions.values()].filter((a) => a.type === "power_off")).toHaveLength(1);
  });
});

describe("DigitalOcean client: the managed tag", () => {
  it("lists only managed droplets and refuses to delete an unmanaged one unless forced", async () => {
    const sim = await start();
    const { client } = clientFor(sim);
    const [managed] = await client.createDroplets({ names: ["ours"], ...DROPLET });
    const theirs = await createUnmanaged("theirs");
    expect((await client.listManagedDroplets()).map((d) => d.name)).toEqual(["ours"]);

    const refused = await client.deleteDroplet(theirs).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnmanagedDropletError);
    expect((refused as Error).message).toBe(
      `Droplet ${theirs} (theirs) does not carry the tag "slipway-managed": Slipway does not manage it; refusing unless forced`,
    );
    expect(sim.state.droplets.has(theirs)).toBe(true);

    expect(await client.deleteDroplet(managed!.id)).toBe(true);
    expect(sim.state.droplets.has(managed!.id)).toBe(false);
    expect(await client.deleteDroplet(managed!.id)).toBe(false);

    expect(await client.deleteDroplet(theirs, { force: true })).toBe(true);
    expect(sim.state.droplets.size).toBe(0);
  });

  it("deletes by tag only when every droplet with the tag is managed, unless forced", async () => {
    const sim = await start();
    const { client } = clientFor(sim);
    await client.createDroplets({ names: ["t-1", "t-2"], ...DROPLET, tags: ["batch-7"] });
    const theirs = await createUnmanaged("t-theirs", ["batch-7"]);
    await expect(client.deleteDropletsByTag("batch-7")).rejects.toBeInstanceOf(UnmanagedDropletError);
    expect(sim.state.droplets.size).toBe(3);

    await client.deleteDropletsByTag("slipway-managed");
    expect([...sim.state.droplets.keys()]).toEqual([theirs]);
    await client.deleteDropletsByTag("batch-7", { force: true });
    expect(sim.state.droplets.size).toBe(0);
  });

  it("honours a custom managed tag", async () => {
    const sim = await start();
    const { client } = clientFor(sim, { managedTag: "acme-managed" });
    const [droplet] = await client.createDroplets({ names: ["custom"], ...DROPLET });
    expect(droplet!.tags).toEqual(["acme-managed"]);
    expect((await clientFor(sim).client.listManagedDroplets())).toEqual([]);
  });
});
