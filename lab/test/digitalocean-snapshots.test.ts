import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BootSpec, BootedHost } from "../src/host-provider.js";
import { NullHostProvider, startDigitalOceanSimulator, type DigitalOceanSimulator } from "../src/digitalocean/index.js";
import { digitalOceanClient } from "./support/digitalocean-client.js";
import { DROPLET_DEFAULTS, waitForAction } from "./support/digitalocean-helpers.js";

let sim: DigitalOceanSimulator;
let provider: NullHostProvider;
let call: ReturnType<typeof digitalOceanClient>;

beforeEach(async () => {
  provider = new NullHostProvider();
  sim = await startDigitalOceanSimulator({ actionDelayMs: 10, provider });
  call = digitalOceanClient(sim.url, sim.token);
});
afterEach(() => sim.close());

async function createDroplet(name: string, image: string | number = DROPLET_DEFAULTS.image) {
  const { body } = await call("POST", "/v2/droplets", { body: { name, ...DROPLET_DEFAULTS, image } });
  expect(await waitForAction(call, body.links.actions[0].id)).toBe("completed");
  return body.droplet.id as number;
}

async function act(dropletId: number, body: { type: string; name?: string }) {
  const res = await call("POST", `/v2/droplets/${dropletId}/actions`, { body });
  expect(res.status).toBe(201);
  return waitForAction(call, res.body.action.id);
}

describe("DigitalOcean simulator: snapshots", () => {
  it("power off -> snapshot -> image listed -> a droplet from it boots the captured image", async () => {
    const builder = await createDroplet("builder");
    expect(provider.hosts.get("builder")?.image).toEqual({ id: "debian-12-x64", archivePath: null });

    expect(await act(builder, { type: "power_off" })).toBe("completed");
    expect(await act(builder, { type: "snapshot", name: "slipway-base-1" })).toBe("completed");

    const snapshots = await call("GET", "/v2/snapshots", { query: { resource_type: "droplet" } });
    expect(snapshots.body.snapshots).toEqual([
      expect.objectContaining({ name: "slipway-base-1", resource_type: "droplet", resource_id: String(builder) }),
    ]);
    const imageId = Number(snapshots.body.snapshots[0].id);
    const images = await call("GET", "/v2/images", { query: { private: true } });
    expect(images.body.images.map((i: any) => i.id)).toEqual([imageId]);
    expect((await call("GET", `/v2/images/${imageId}`)).body.image).toMatchObject({ type: "snapshot", public: false, slug: null });
    expect((await call("GET", `/v2/snapshots/${imageId}`)).body.snapshot.name).toBe("slipway-base-1");
    expect((await call("GET", `/v2/droplets/${builder}`)).body.droplet.snapshot_ids).toEqual([imageId]);

    const captured = provider.captures.get(String(imageId));
    expect(captured).toBeDefined();
    await createDroplet("from-snapshot", imageId);
    expect(provider.hosts.get("from-snapshot")?.image).toEqual(captured);

    expect((await call("DELETE", `/v2/droplets/${builder}`)).status).toBe(204);
    await sim.settled();
    expect(provider.hosts.has("builder")).toBe(false);
  });

  it("snapshots a running droplet too, as DigitalOcean does", async () => {
    const id = await createDroplet("live");
    expect(await act(id, { type: "snapshot", name: "live-snap" })).toBe("completed");
    expect((await call("GET", `/v2/droplets/${id}`)).body.droplet.status).toBe("active");
  });

  it("deletes snapshots through either endpoint and refuses droplets from a deleted one", async () => {
    const id = await createDroplet("src");
    await act(id, { type: "snapshot", name: "a" });
    await act(id, { type: "snapshot", name: "b" });
    const [a, b] = (await call("GET", "/v2/snapshots")).body.snapshots.map((s: any) => s.id);
    expect((await call("DELETE", `/v2/snapshots/${a}`)).status).toBe(204);
    expect((await call("DELETE", `/v2/images/${Number(b)}`)).status).toBe(204);
    expect((await call("GET", "/v2/images", { query: { private: true } })).body.images).toEqual([]);
    const res = await call("POST", "/v2/droplets", { body: { name: "late", ...DROPLET_DEFAULTS, image: Number(a) } });
    expect(res.status).toBe(422);
  });

  it("ends the create action errored when the provider cannot boot the host", async () => {
    class FailingProvider extends NullHostProvider {
      override async boot(_spec: BootSpec): Promise<BootedHost> {
        throw new Error("no capacity");
      }
    }
    const failing = await startDigitalOceanSimulator({ actionDelayMs: 5, provider: new FailingProvider() });
    try {
      const failCall = digitalOceanClient(failing.url, failing.token);
      const { body } = await failCall("POST", "/v2/droplets", { body: { name: "doomed", ...DROPLET_DEFAULTS } });
      expect(await waitForAction(failCall, body.links.actions[0].id)).toBe("errored");
      const droplet = (await failCall("GET", `/v2/droplets/${body.droplet.id}`)).body.droplet;
      expect(droplet.status).toBe("new");
      expect(droplet.networks.v4).toEqual([]);
    } finally {
      await failing.close();
    }
  });
});
