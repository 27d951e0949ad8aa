import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startDigitalOceanSimulator, type DigitalOceanSimulator } from "../src/digitalocean/index.js";
import { digitalOceanClient } from "./support/digitalocean-client.js";
import { DROPLET_DEFAULTS, opensshPublicKey, waitForAction } from "./support/digitalocean-helpers.js";

let sim: DigitalOceanSimulator;
let call: ReturnType<typeof digitalOceanClient>;

beforeEach(async () => {
  sim = await startDigitalOceanSimulator({ actionDelayMs: 20 });
  call = digitalOceanClient(sim.url, sim.token);
});
afterEach(() => sim.close());

describe("DigitalOcean simulator: auth", () => {
  it("rejects a missing or unknown token with DigitalOcean's 401 body", async () => {
    for (const token of [null, "not-a-token"]) {
      const res = await call("GET", "/v2/account", { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ id: "unauthorized", message: "Unable to authenticate you." });
    }
  });

  it("accepts any of the configured tokens", async () => {
    const multi = await startDigitalOceanSimulator({ tokens: ["one", "two"] });
    try {
      const res = await digitalOceanClient(multi.url, "two")("GET", "/v2/account");
      expect(res.status).toBe(200);
      expect(res.body.account.status).toBe("active");
    } finally {
      await multi.close();
    }
  });
});

describe("DigitalOcean simulator: droplets", () => {
  it("creates three droplets with names, whose actions complete and which become active with a public IPv4", async () => {
    const created = await call("POST", "/v2/droplets", {
      body: { names: ["web-1", "web-2", "web-3"], ...DROPLET_DEFAULTS, tags: ["slipway-managed"] },
    });
    expect(created.status).toBe(202);
    expect(created.body.droplets.map((d: { status: string }) => d.status)).toEqual(["new", "new", "new"]);
    expect(created.body.links.actions).toHaveLength(3);

    for (const link of created.body.links.actions) expect(await waitForAction(call, link.id)).toBe("completed");

    const listed = await call("GET", "/v2/droplets", { query: { tag_name: "slipway-managed" } });
    expect(listed.body.meta.total).toBe(3);
    for (const droplet of listed.body.droplets) {
      expect(droplet.status).toBe("active");
      expect(droplet.networks.v4).toEqual([expect.objectContaining({ type: "public", ip_address: expect.stringMatching(/^203\.0\.113\./) })]);
    }
    const ips = new Set(listed.body.droplets.map((d: any) => d.networks.v4[0].ip_address));
    expect(ips.size).toBe(3);
  });

  it("keeps an action in progress, and the droplet new and locked, until the delay has passed", async () => {
    const slow = await startDigitalOceanSimulator({ actionDelayMs: 5_000 });
    try {
      const slowCall = digitalOceanClient(slow.url, slow.token);
      const { body } = await slowCall("POST", "/v2/droplets", { body: { name: "slow", ...DROPLET_DEFAULTS } });
      const action = await slowCall("GET", `/v2/actions/${body.links.actions[0].id}`);
      expect(action.body.action).toMatchObject({ status: "in-progress", type: "create", completed_at: null, resource_id: body.droplet.id });
      const droplet = await slowCall("GET", `/v2/droplets/${body.droplet.id}`);
      expect(droplet.body.droplet).toMatchObject({ status: "new", locked: true, networks: { v4: [], v6: [] } });
      const busy = await slowCall("POST", `/v2/droplets/${body.droplet.id}/actions`, { body: { type: "power_off" } });
      expect(busy.status).toBe(422);
      expect(busy.body.message).toBe("Droplet already has a pending event.");
    } finally {
      await slow.close();
    }
  });

  it("creates a single droplet with name and returns one action link", async () => {
    const res = await call("POST", "/v2/droplets", { body: { name: "solo", ...DROPLET_DEFAULTS } });
    expect(res.status).toBe(202);
    expect(res.body.droplet.name).toBe("solo");
    expect(res.body.links.actions).toEqual([expect.objectContaining({ rel: "create", href: `${sim.url}/v2/actions/${res.body.links.actions[0].id}` })]);
    const got = await call("GET", `/v2/droplets/${res.body.droplet.id}`);
    expect(got.body.droplet.image.slug).toBe("debian-12-x64");
    // The name filter ignores case, as DigitalOcean's does.
    const byName = await call("GET", "/v2/droplets", { query: { name: "SOLO" } });
    expect(byName.body.droplets.map((d: any) => d.id)).toEqual([res.body.droplet.id]);
    expect((await call("GET", "/v2/droplets", { query: { name: "sol" } })).body.droplets).toEqual([]);
  });

  it("paginates with page/per_page, links.pages and meta.total", async () => {
    await call("POST", "/v2/droplets", { body: { names: ["p1", "p2", "p3", "p4", "p5"], ...DROPLET_DEFAULTS } });
    const page1 = await call("GET", "/v2/droplets", { query: { per_page: 2 } });
    expect(page1.body.droplets.map((d: any) => d.name)).toEqual(["p1", "p2"]);
    expect(page1.body.meta.total).toBe(5);
    expect(Object.keys(page1.body.links.pages).sort()).toEqual(["last", "next"]);
    expect(new URL(page1.body.links.pages.last).searchParams.get("page")).toBe("3");

    const next = new URL(page1.body.links.pages.next);
    const page2 = await call("GET", next.pathname, { query: Object.fromEntries(next.searchParams) });
    expect(page2.body.droplets.map((d: any) => d.name)).toEqual(["p3", "p4"]);
    expect(Object.keys(page2.body.links.pages).sort()).toEqual(["first", "last", "next", "prev"]);

    const page3 = await call("GET", "/v2/droplets", { query: { per_page: 2, page: 3 } });
    expect(page3.body.droplets.map((d: any) => d.name)).toEqual(["p5"]);
    expect(Object.keys(page3.body.links.pages).sort()).toEqual(["first", "prev"]);

    const all = await call("GET", "/v2/droplets");
    expect(all.body.links).toEqual({});
  });

  it("filters by tag and deletes by tag, destroying the hosts", async () => {
    await call("POST", "/v2/droplets", { body: { names: ["m1", "m2"], ...DROPLET_DEFAULTS, tags: ["slipway-managed"] } });
    await call("POST", "/v2/droplets", { body: { name: "other", ...DROPLET_DEFAULTS, tags: ["hand-made"] } });
    await sim.settled();

    const managed = await call("GET", "/v2/droplets", { query: { tag_name: "slipway-managed" } });
    expect(managed.body.droplets.map((d: any) => d.name).sort()).toEqual(["m1", "m2"]);
    const tag = await call("GET", "/v2/tags/slipway-managed");
    expect(tag.body.tag.resources.droplets.count).toBe(2);

    const deleted = await call("DELETE", "/v2/droplets", { query: { tag_name: "slipway-managed" } });
    expect(deleted.status).toBe(204);
    await sim.settled();
    const left = await call("GET", "/v2/droplets");
    expect(left.body.droplets.map((d: any) => d.name)).toEqual(["other"]);
  });

  it("deletes one droplet by id and then answers 404 for it", async () => {
    const { body } = await call("POST", "/v2/droplets", { body: { name: "gone", ...DROPLET_DEFAULTS } });
    await waitForAction(call, body.links.actions[0].id);
    expect((await call("DELETE", `/v2/droplets/${body.droplet.id}`)).status).toBe(204);
    const res = await call("GET", `/v2/droplets/${body.droplet.id}`);
    expect(res.status).toBe(404);
    expect(res.body.id).toBe("not_found");
  });

  it("rejects bodies the spec forbids with 422 and DigitalOcean's error shape", async () => {
    const res = await call("POST", "/v2/droplets", { body: { name: "bad name!", size: 1 }, invalidOnPurpose: true });
    expect(res.status).toBe(422);
    expect(res.body.id).toBe("unprocessable_entity");
    expect(res.body.message).toContain("image");
    const badJson = await call("POST", "/v2/droplets/1/actions", { body: { type: "explode" }, invalidOnPurpose: true });
    expect(badJson.status).toBe(422);
  });

  it("rejects an unknown image, region or size with 422", async () => {
    for (const change of [{ image: "windows-95" }, { region: "mars1" }, { size: "huge" }]) {
      const res = await call("POST", "/v2/droplets", { body: { name: "x", ...DROPLET_DEFAULTS, ...change } });
      expect(res.status).toBe(422);
    }
  });

  it("powers a droplet off and on through actions, listed under the droplet", async () => {
    const { body } = await call("POST", "/v2/droplets", { body: { name: "pw", ...DROPLET_DEFAULTS } });
    const id = body.droplet.id;
    await waitForAction(call, body.links.actions[0].id);

    const off = await call("POST", `/v2/droplets/${id}/actions`, { body: { type: "power_off" } });
    expect(off.status).toBe(201);
    expect(await waitForAction(call, off.body.action.id)).toBe("completed");
    expect((await call("GET", `/v2/droplets/${id}`)).body.droplet.status).toBe("off");

    const again = await call("POST", `/v2/droplets/${id}/actions`, { body: { type: "power_off" } });
    expect(again.body.message).toBe("Droplet is already powered off.");
    const on = await call("POST", `/v2/droplets/${id}/actions`, { body: { type: "power_on" } });
    await waitForAction(call, on.body.action.id);
    expect((await call("GET", `/v2/droplets/${id}`)).body.droplet.status).toBe("active");

    const actions = await call("GET", `/v2/droplets/${id}/actions`);
    expect(actions.body.actions.map((a: any) => a.type)).toEqual(["create", "power_off", "power_on"]);
    const one = await call("GET", `/v2/droplets/${id}/actions/${on.body.action.id}`);
    expect(one.body.action.status).toBe("completed");
  });
});

describe("DigitalOcean simulator: account resources", () => {
  it("creates, lists, gets (by id and fingerprint) and deletes SSH keys, and boots droplets with them", async () => {
    const publicKey = opensshPublicKey();
    const created = await call("POST", "/v2/account/keys", { body: { name: "deployer", public_key: publicKey } });
    expect(created.status).toBe(201);
    const { id, fingerprint } = created.body.ssh_key;
    expect(fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect((await call("GET", `/v2/account/keys/${fingerprint}`)).body.ssh_key.id).toBe(id);
    expect((await call("GET", "/v2/account/keys")).body.meta.total).toBe(1);
    const dup = await call("POST", "/v2/account/keys", { body: { name: "again", public_key: publicKey } });
    expect(dup.status).toBe(422);
    const bad = await call("POST", "/v2/account/keys", { body: { name: "bad", public_key: "ssh-rsa nonsense" } });
    expect(bad.status).toBe(422);

    const made = await call("POST", "/v2/droplets", { body: { name: "keyed", ...DROPLET_DEFAULTS, ssh_keys: [id] } });
    expect(made.status).toBe(202);
    const unknownKey = await call("POST", "/v2/droplets", { body: { name: "k2", ...DROPLET_DEFAULTS, ssh_keys: [12345] } });
    expect(unknownKey.status).toBe(422);

    expect((await call("DELETE", `/v2/account/keys/${id}`)).status).toBe(204);
    expect((await call("GET", `/v2/account/keys/${id}`)).status).toBe(404);
  });

  it("creates and lists tags", async () => {
    expect((await call("POST", "/v2/tags", { body: { name: "slipway-managed" } })).status).toBe(201);
    expect((await call("POST", "/v2/tags", { body: { name: "slipway-managed" } })).status).toBe(201);
    const tags = await call("GET", "/v2/tags");
    expect(tags.body.tags.map((t: any) => t.name)).toEqual(["slipway-managed"]);
    expect((await call("GET", "/v2/tags/nope")).status).toBe(404);
    const bad = await call("POST", "/v2/tags", { body: { name: "has space" }, invalidOnPurpose: true });
    expect(bad.status).toBe(422);
  });

  it("serves regions, sizes, distribution images and the account", async () => {
    expect((await call("GET", "/v2/regions")).body.regions.map((r: any) => r.slug)).toContain("nyc3");
    expect((await call("GET", "/v2/sizes")).body.sizes.map((s: any) => s.slug)).toContain("s-1vcpu-1gb");
    const images = await call("GET", "/v2/images", { query: { type: "distribution" } });
    expect(images.body.images.map((i: any) => i.slug)).toContain("debian-12-x64");
    expect((await call("GET", "/v2/account")).body.account.email_verified).toBe(true);
  });

  it("answers 500 instead of a response that would break the description", async () => {
    const { body } = await call("POST", "/v2/droplets", { body: { name: "odd", ...DROPLET_DEFAULTS } });
    // Corrupt the state behind the API's back, as a simulator bug would.
    Object.assign(sim.state.droplets.get(body.droplet.id)!, { status: "exploded" });
    const res = await call("GET", `/v2/droplets/${body.droplet.id}`);
    expect(res.status).toBe(500);
    expect(res.body.id).toBe("lab_spec_violation");
    expect(res.body.message).toContain("status");
  });

  it("answers unknown paths with DigitalOcean's 404", async () => {
    const notFound = { id: "not_found", message: "The resource you were accessing could not be found." };
    const res = await call("GET", "/v2/droplets/999");
    expect(res.status).toBe(404);
    expect(res.body).toEqual(notFound);
    // A path the description does not have at all (so the checked client cannot be used).
    const outside = await request(`${sim.url}/v2/volumes`, { headers: { authorization: `Bearer ${sim.token}` } });
    expect(outside.statusCode).toBe(404);
    expect(await outside.body.json()).toEqual(notFound);
  });
});
