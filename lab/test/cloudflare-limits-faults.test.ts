import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { startCloudflareSimulator, type CloudflareSimulator, type CloudflareSimulatorOptions } from "../src/cloudflare/index.js";
import { cloudflareClient } from "./support/cloudflare-client.js";

let sim: CloudflareSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: CloudflareSimulatorOptions = {}) {
  sim = await startCloudflareSimulator(options);
  return { sim, call: cloudflareClient(sim.url, sim.token) };
}

describe("Cloudflare simulator: rate limit", () => {
  it("answers 429 past the budget, then blocks every call for the block period", async () => {
    const { sim, call } = await start({ tokens: ["tok-a", "tok-b"], rateLimits: { requests: 3, windowMs: 60_000, blockMs: 400 } });
    for (let i = 0; i < 3; i++) expect((await call("GET", "/zones")).status).toBe(200);
    const limited = await call("GET", "/zones");
    expect(limited.status).toBe(429);
    expect(limited.body.errors[0]?.code).toBe(971);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    // Blocked: even a call that would otherwise be fine is refused.
    expect((await call("GET", "/user/tokens/verify")).status).toBe(429);
    expect((await cloudflareClient(sim.url, "tok-b")("GET", "/zones")).status).toBe(200);

    await new Promise((r) => setTimeout(r, 450));
    // The window still holds three calls, so the budget is spent again at once.
    expect((await call("GET", "/zones")).status).toBe(429);
  });

  it("lifts the block once both the block and the window have passed", async () => {
    const { call } = await start({ rateLimits: { requests: 1, windowMs: 200, blockMs: 300 } });
    expect((await call("GET", "/zones")).status).toBe(200);
    expect((await call("GET", "/zones")).status).toBe(429);
    await new Promise((r) => setTimeout(r, 350));
    expect((await call("GET", "/zones")).status).toBe(200);
  });
});

describe("Cloudflare simulator: faults", () => {
  it("fails, rate-limits and hangs calls on demand, programmatically and over HTTP", async () => {
    const { sim, call } = await start();
    sim.faults.failNext(1, { status: 502, match: "dns_records" });
    const zoneId = (await call("GET", "/zones")).body.result[0].id;
    const failed = await call("GET", `/zones/${zoneId}/dns_records`);
    expect(failed.status).toBe(502);
    expect(failed.body.success).toBe(false);
    expect((await call("GET", `/zones/${zoneId}/dns_records`)).status).toBe(200);

    sim.faults.rateLimitNext(1);
    expect((await call("GET", "/zones")).status).toBe(429);

    const control = new URL("/_lab/faults", sim.url).toString();
    const posted = await request(control, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "hang", match: "^GET /zones$" }),
    });
    expect(posted.statusCode).toBe(201);
    const hung = request(`${sim.url}/zones`, { headers: { authorization: `Bearer ${sim.token}` }, signal: AbortSignal.timeout(300) });
    await expect(hung).rejects.toThrow();
    expect((await call("GET", "/zones")).status).toBe(200);

    const badKind = await request(control, { method: "POST", body: JSON.stringify({ kind: "action-error" }) });
    expect(badKind.statusCode).toBe(400);
  });
});
