import { createApiClient } from "dots-wrapper";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startDigitalOceanSimulator, type DigitalOceanSimulator } from "../src/digitalocean/index.js";
import { generateKey } from "./hosts-support.js";

// The contract: dots-wrapper, the most used third-party DigitalOcean client on npm (nobody here
// wrote it), against the simulator. What it sends and expects back — SSH keys, droplets and their
// actions and snapshots, tags and tagged resources, errors and rate-limit headers — is what real
// clients meet, so a simulator that passes only because Slipway's client is lenient fails here.

let sim: DigitalOceanSimulator;
let dots: ReturnType<typeof createApiClient>;

beforeEach(async () => {
  sim = await startDigitalOceanSimulator({ actionDelayMs: 0 });
  dots = createApiClient({ token: sim.token, endpoint: `${sim.url}/v2`, requestTimeoutInMs: 5_000 });
});
afterEach(() => sim.close());

/** The HTTP status an axios-based call failed with. */
async function failureStatus(call: Promise<unknown>): Promise<number | undefined> {
  const error = (await call.then(() => undefined, (e: unknown) => e)) as { response?: { status: number } } | undefined;
  return error?.response?.status;
}

/** dots-wrapper's types leave out the create response's action links, which the API sends. */
function createActionId(data: object): number {
  return (data as { links: { actions: { id: number }[] } }).links.actions[0]!.id;
}

async function untilCompleted(actionId: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await dots.action.getAction({ action_id: actionId })).data.action.status !== "completed") {
    if (Date.now() > deadline) throw new Error(`action ${actionId} did not complete`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("DigitalOcean simulator through dots-wrapper", () => {
  it("creates, gets, renames (PUT) and destroys SSH keys", async () => {
    const { data } = await dots.sshKey.createSshKey({ name: "ci", public_key: generateKey().publicKey });
    const id = data.ssh_key.id;
    expect((await dots.sshKey.getSshKey({ ssh_key_id: id })).data.ssh_key.name).toBe("ci");
    expect((await dots.sshKey.getSshKey({ ssh_key_id: data.ssh_key.fingerprint })).data.ssh_key.id).toBe(id);
    const renamed = await dots.sshKey.updateSshKey({ ssh_key_id: id, name: "ci-renamed" });
    expect(renamed.data.ssh_key).toMatchObject({ id, name: "ci-renamed", fingerprint: data.ssh_key.fingerprint });
    expect((await dots.sshKey.listSshKeys({})).data.ssh_keys.map((k) => k.name)).toEqual(["ci-renamed"]);
    expect((await dots.sshKey.destroySshKey({ ssh_key_id: id })).status).toBe(204);
    expect(await failureStatus(dots.sshKey.getSshKey({ ssh_key_id: id }))).toBe(404);
  });

  it("creates a droplet, follows its actions, snapshots it and lists its snapshots", async () => {
    const created = await dots.droplet.createDroplet({ name: "web-1", region: "nyc3", size: "s-1vcpu-1gb", image: "debian-12-x64", tags: ["slipway-managed"] });
    expect(created.status).toBe(202);
    const dropletId = created.data.droplet.id;
    await untilCompleted(createActionId(created.data));
    const droplet = (await dots.droplet.getDroplet({ droplet_id: dropletId })).data.droplet;
    expect(droplet).toMatchObject({ name: "web-1", status: "active", tags: ["slipway-managed"] });
    expect((await dots.droplet.listDroplets({ tag_name: "slipway-managed" })).data.droplets.map((d) => d.id)).toEqual([dropletId]);

    const off = await dots.droplet.powerOffDroplet({ droplet_id: dropletId });
    await untilCompleted(off.data.action.id);
    const snap = await dots.droplet.snapshotDroplet({ droplet_id: dropletId, name: "web-1-snap" });
    await untilCompleted(snap.data.action.id);
    const snapshots = (await dots.droplet.listDropletSnapshots({ droplet_id: dropletId })).data.snapshots;
    expect(snapshots).toEqual([expect.objectContaining({ name: "web-1-snap", type: "snapshot" })]);
    const viaSnapshots = (await dots.snapshot.listSnapshots({ resource_type: "droplet" })).data.snapshots;
    expect(viaSnapshots.map((s) => [s.name, s.resource_id])).toEqual([["web-1-snap", String(dropletId)]]);
    expect((await dots.droplet.listDropletActions({ droplet_id: dropletId })).data.actions.map((a) => a.type).sort()).toEqual(["create", "power_off", "snapshot"]);

    expect((await dots.droplet.deleteDropletsByTag({ tag_name: "slipway-managed" })).status).toBe(204);
    await sim.settled();
    expect(await failureStatus(dots.droplet.getDroplet({ droplet_id: dropletId }))).toBe(404);
  });

  it("tags resources, counts them under `images` with absolute URIs, and deletes tags", async () => {
    const created = await dots.droplet.createDroplet({ name: "tagged-1", region: "nyc3", size: "s-1vcpu-1gb", image: "debian-12-x64" });
    await untilCompleted(createActionId(created.data));
    const dropletId = created.data.droplet.id;
    await dots.tag.createTag({ name: "blue" });
    expect((await dots.tag.tagResources({ tag_name: "blue", resources: [{ resource_id: String(dropletId), resource_type: "droplet" }] })).status).toBe(204);

    const tag = (await dots.tag.getTag({ tag_name: "blue" })).data.tag;
    const resources = tag.resources as unknown as Record<string, { count: number; last_tagged_uri?: string }>;
    expect(resources.droplets).toEqual({ count: 1, last_tagged_uri: `${sim.url}/v2/droplets/${dropletId}` });
    expect(resources.images).toEqual({ count: 0 });
    expect(resources).not.toHaveProperty("imgages");
    expect((await dots.droplet.listDroplets({ tag_name: "blue" })).data.droplets.map((d) => d.id)).toEqual([dropletId]);

    expect((await dots.tag.deleteTag({ tag_name: "blue" })).status).toBe(204);
    expect(await failureStatus(dots.tag.getTag({ tag_name: "blue" }))).toBe(404);
    // The droplet stays, without the tag.
    expect((await dots.droplet.getDroplet({ droplet_id: dropletId })).data.droplet.tags).toEqual([]);
  });

  it("reports rate-limit headers, with none left on a 429", async () => {
    const headers = (await dots.account.getAccount()).headers as Record<string, string>;
    expect(headers["ratelimit-limit"]).toBe("5000");
    expect(Number(headers["ratelimit-remaining"])).toBe(4999);
    sim.faults.rateLimitNext(1);
    const refused = (await dots.account.getAccount().then(() => undefined, (e: unknown) => e)) as { response: { status: number; headers: Record<string, string>; data: unknown } };
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers["ratelimit-remaining"]).toBe("0");
    expect(refused.response.data).toEqual({ id: "too_many_requests", message: "API Rate limit exceeded." });
  });
});
