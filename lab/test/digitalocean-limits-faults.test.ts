import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import type { BootedHost } from "../src/host-provider.js";
import { startDigitalOceanSimulator, type DigitalOceanSimulator, type DigitalOceanSimulatorOptions } from "../src/digitalocean/index.js";
import { digitalOceanClient } from "./support/digitalocean-client.js";
import { DROPLET_DEFAULTS, waitForAction } from "./support/digitalocean-helpers.js";

let sim: DigitalOceanSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: DigitalOceanSimulatorOptions = {}) {
  sim = await startDigitalOceanSimulator({ actionDelayMs: 10, ...options });
  return { sim, call: digitalOceanClient(sim.url, sim.token) };
}

describe("DigitalOcean simulator: rate limits", () => {
  it("sends ratelimit headers on every response and 429 once the per-minute budget is spent", async () => {
    const { sim, call } = await start({ tokens: ["a", "b"], rateLimits: { perHour: 100, perMinute: 3 } });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call("GET", "/v2/account");
      expect(res.status).toBe(200);
      expect(res.headers["ratelimit-limit"]).toBe("100");
      remaining.push(res.headers["ratelimit-remaining"]!);
    }
    expect(remaining).toEqual(["99", "98", "97"]);

    const limited = await call("GET", "/v2/account");
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ id: "too_many_requests", message: "API Rate limit exceeded." });
    expect(limited.headers["ratelimit-remaining"]).toBe("97");
    // The burst limit's 429 says when to retry: once the minute's oldest call has aged out.
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(59);
    expect(Number(limited.headers["retry-after"])).toBeLessThanOrEqual(60);
    const reset = Number(limited.headers["ratelimit-reset"]);
    expect(reset).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 3600);

    // Budgets are per token.
    expect((await digitalOceanClient(sim.url, "b")("GET", "/v2/account")).status).toBe(200);
  });

  it("enforces the hourly budget", async () => {
    const { call } = await start({ rateLimits: { perHour: 2 } });
    expect((await call("GET", "/v2/regions")).status).toBe(200);
    const last = await call("GET", "/v2/regions");
    expect(last.headers["ratelimit-remaining"]).toBe("0");
    const limited = await call("GET", "/v2/regions");
    expect(limited.status).toBe(429);
    expect(limited.headers["ratelimit-limit"]).toBe("2");
    expect(limited.headers["ratelimit-remaining"]).toBe("0");
    expect(limited.headers["retry-after"]).toBeUndefined();
  });

  it("defaults to DigitalOcean's real limits", async () => {
    const { call } = await start();
    const res = await call("GET", "/v2/account");
    expect(res.headers["ratelimit-limit"]).toBe("5000");
    expect(res.headers["ratelimit-remaining"]).toBe("4999");
  });
});

describe("DigitalOcean simulator: faults", () => {
  it("fails the next N calls with a 5xx, optionally only calls matching a pattern", async () => {
    const { sim, call } = await start();
    sim.faults.failNext(2, { status: 503 });
    for (let i = 0; i < 2; i++) {
      const res = await call("GET", "/v2/account");
      expect(res.status).toBe(503);
      expect(res.body.id).toBe("server_error");
    }
    expect((await call("GET", "/v2/account")).status).toBe(200);

    sim.faults.failNext(1, { match: "^POST /v2/droplets$" });
    expect((await call("GET", "/v2/droplets")).status).toBe(200);
    expect((await call("POST", "/v2/droplets", { body: { name: "f", ...DROPLET_DEFAULTS } })).status).toBe(500);
    expect((await call("POST", "/v2/droplets", { body: { name: "f", ...DROPLET_DEFAULTS } })).status).toBe(202);
  });

  it("answers 429 on demand", async () => {
    const { sim, call } = await start();
    sim.faults.rateLimitNext(1);
    const res = await call("GET", "/v2/sizes");
    expect(res.status).toBe(429);
    expect(res.headers["ratelimit-limit"]).toBe("5000");
    expect((await call("GET", "/v2/sizes")).status).toBe(200);
  });

  it("leaves a call hanging so clients hit their timeout", async () => {
    const { sim, call } = await start();
    sim.faults.hangNext(1, { match: "/v2/account" });
    const hung = request(`${sim.url}/v2/account`, {
      headers: { authorization: `Bearer ${sim.token}` },
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow();
    expect((await call("GET", "/v2/account")).status).toBe(200);
  });

  it("errors the next droplet action", async () => {
    const { sim, call } = await start();
    sim.faults.errorNextAction(1);
    const { body } = await call("POST", "/v2/droplets", { body: { names: ["e1", "e2"], ...DROPLET_DEFAULTS } });
    const statuses = await Promise.all(body.links.actions.map((a: { id: number }) => waitForAction(call, a.id)));
    expect(statuses.sort()).toEqual(["completed", "errored"]);

    const ok = (await call("GET", "/v2/droplets", { query: { name: "e2" } })).body.droplets[0];
    sim.faults.errorNextAction(1, { match: "^e2$" });
    const off = await call("POST", `/v2/droplets/${ok.id}/actions`, { body: { type: "power_off" } });
    expect(await waitForAction(call, off.body.action.id)).toBe("errored");
    expect((await call("GET", `/v2/droplets/${ok.id}`)).body.droplet.status).toBe("active");
  });

  it("cuts a droplet off through the hook: active with an address, but unreachable", async () => {
    const cut: BootedHost[] = [];
    const { sim, call } = await start({ cutOff: async (host) => void cut.push(host) });
    sim.faults.unreachableNext(1);
    const { body } = await call("POST", "/v2/droplets", { body: { name: "dark", ...DROPLET_DEFAULTS } });
    expect(await waitForAction(call, body.links.actions[0].id)).toBe("completed");
    const droplet = (await call("GET", `/v2/droplets/${body.droplet.id}`)).body.droplet;
    expect(droplet.status).toBe("active");
    expect(cut).toEqual([{ name: "dark", ipv4: droplet.networks.v4[0].ip_address }]);
    expect(sim.state.droplets.get(body.droplet.id)?.reachable).toBe(false);
  });

  it("takes faults over HTTP under /_lab/faults", async () => {
    const { sim, call } = await start();
    const control = `${sim.url}/_lab/faults`;
    const post = (body: unknown) =>
      request(control, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

    expect((await post({ kind: "explode" })).statusCode).toBe(400);
    expect((await post({ kind: "error", times: 0 })).statusCode).toBe(400);
    const created = await post({ kind: "error", status: 502, times: 1, match: "/v2/regions" });
    expect(created.statusCode).toBe(201);
    expect(await created.body.json()).toEqual({ fault: { kind: "error", status: 502, times: 1, match: "/v2/regions" } });
    expect(((await (await request(control)).body.json()) as { faults: unknown[] }).faults).toHaveLength(1);

    expect((await call("GET", "/v2/regions")).status).toBe(502);
    expect((await call("GET", "/v2/regions")).status).toBe(200);

    await post({ kind: "rate-limit", times: 5 });
    expect((await request(control, { method: "DELETE" })).statusCode).toBe(204);
    expect((await call("GET", "/v2/regions")).status).toBe(200);
  });
});
