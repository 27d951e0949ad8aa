import type { BootedHost, HostProvider } from "../host-provider.js";
import type { FaultController } from "../simulator-shared/faults.js";
import type { ActionRunner } from "./action-runner.js";
import { REGIONS, SIZES } from "./catalog.js";
import { unprocessable } from "./errors.js";
import type { ActionRecord, DigitalOceanState, DropletRecord } from "./state.js";

// Droplet lifecycle: the one place that changes droplet status and drives the HostProvider.
// Every change happens inside an action, as on DigitalOcean, so clients must poll actions.

/** Cuts a booted host off the network while leaving it running (the "unreachable" fault). */
export type CutOffHook = (host: BootedHost) => Promise<void>;

export interface CreateDropletsInput {
  names: string[];
  region: string;
  size: string;
  image: string | number;
  sshKeys: (string | number)[];
  tags: string[];
  userData?: string;
}

export class DropletLifecycle {
  private readonly background = new Set<Promise<unknown>>();

  constructor(
    private readonly state: DigitalOceanState,
    private readonly runner: ActionRunner,
    private readonly provider: HostProvider,
    private readonly faults: FaultController,
    private readonly cutOff: CutOffHook | undefined,
  ) {}

  create(input: CreateDropletsInput): { droplets: DropletRecord[]; actions: ActionRecord[] } {
    if (input.names.length === 0 || input.names.length > 10) {
      throw unprocessable("You may only create between 1 and 10 Droplets at a time.");
    }
    if (!REGIONS.some((r) => r.slug === input.region)) throw unprocessable("You specified an invalid region for Droplet creation.");
    if (!SIZES.some((s) => s.slug === input.size)) throw unprocessable("You specified an invalid size for Droplet creation.");
    const image = this.state.findImage(input.image);
    if (!image) throw unprocessable("You specified an invalid image for Droplet creation.");
    const keys = input.sshKeys.map((ref) => {
      const key = this.state.findSshKey(ref);
      if (!key) throw unprocessable("You specified an invalid SSH key for Droplet creation.");
      return key;
    });
    // Lab hosts are named after droplets, so names must be unique (DigitalOcean allows duplicates).
    const taken = new Set([...this.state.droplets.values()].map((d) => d.name));
    for (const name of input.names) {
      if (taken.has(name) || input.names.indexOf(name) !== input.names.lastIndexOf(name)) {
        throw unprocessable(`A Droplet named ${name} already exists in the lab.`);
      }
    }
    for (const tag of input.tags) this.state.tags.add(tag);

    const droplets: DropletRecord[] = [];
    const actions: ActionRecord[] = [];
    for (const name of input.names) {
      const droplet: DropletRecord = {
        id: this.state.nextId("droplet"),
        name,
        status: "new",
        locked: true,
        createdAt: new Date(),
        region: input.region,
        size: input.size,
        imageId: image.id,
        tags: [...input.tags],
        sshKeyIds: keys.map((k) => k.id),
        ...(input.userData === undefined ? {} : { userData: input.userData }),
        reachable: true,
        snapshotIds: [],
      };
      this.state.droplets.set(droplet.id, droplet);
      droplets.push(droplet);
      actions.push(
        this.runner.start("create", { id: droplet.id, type: "droplet", region: droplet.region }, async () => {
          try {
            await this.boot(droplet, keys.map((k) => k.publicKey));
          } finally {
            droplet.locked = false;
          }
        }),
      );
    }
    return { droplets, actions };
  }

  private async boot(droplet: DropletRecord, sshPublicKeys: string[]): Promise<void> {
    if (!this.state.droplets.has(droplet.id)) return; // deleted before its create action ran
    if (this.faults.take("action-error", droplet.name)) throw new Error("injected action error");
    const image = this.state.images.get(droplet.imageId)!;
    const host = await this.provider.boot({
      name: droplet.name,
      image: image.hostImage,
      sshPublicKeys,
      ...(droplet.userData === undefined ? {} : { userData: droplet.userData }),
    });
    if (!this.state.droplets.has(droplet.id)) {
      // Deleted while booting: nothing may outlive the droplet.
      await this.provider.destroy(host.name);
      return;
    }
    droplet.ipv4 = host.ipv4;
    droplet.status = "active";
    if (this.faults.take("unreachable", droplet.name)) {
      droplet.reachable = false;
      await this.cutOff?.(host);
    }
  }

  /** Starts a droplet action (power_off, shutdown, power_on, snapshot). */
  act(droplet: DropletRecord, type: string, snapshotName?: string): ActionRecord {
    if (droplet.locked) throw unprocessable("Droplet already has a pending event.");
    const next = this.check(droplet, type);
    droplet.locked = true;
    const resource = { id: droplet.id, type: "droplet" as const, region: droplet.region };
    return this.runner.start(type, resource, async () => {
      try {
        if (this.faults.take("action-error", droplet.name)) throw new Error("injected action error");
        if (type === "snapshot") await this.snapshot(droplet, snapshotName ?? `${droplet.name}-${Date.now()}`);
        if (next) droplet.status = next;
      } finally {
        droplet.locked = false;
      }
    });
  }

  /** Validates a requested action against the droplet's state; returns the status it leads to. */
  private check(droplet: DropletRecord, type: string): DropletRecord["status"] | undefined {
    if (droplet.status === "new") throw unprocessable("Droplet is still being created.");
    switch (type) {
      case "power_off":
      case "shutdown":
        if (droplet.status === "off") throw unprocessable("Droplet is already powered off.");
        return "off";
      case "power_on":
        if (droplet.status === "active") throw unprocessable("Droplet is already powered on.");
        return "active";
      case "snapshot":
        return undefined; // DigitalOcean snapshots running droplets too (powering off is advised)
      default:
        throw unprocessable(`The lab does not simulate the ${type} action.`);
    }
  }

  private async snapshot(droplet: DropletRecord, name: string): Promise<void> {
    const imageId = this.state.nextId("image");
    const hostImage = await this.provider.capture(droplet.name, String(imageId));
    const source = this.state.images.get(droplet.imageId);
    const size = SIZES.find((s) => s.slug === droplet.size)!;
    this.state.images.set(imageId, {
      id: imageId,
      name,
      type: "snapshot",
      slug: null,
      distribution: source?.distribution ?? "Unknown",
      regions: [droplet.region],
      createdAt: new Date(),
      minDiskSize: size.disk,
      sizeGigabytes: 1.42,
      tags: [],
      hostImage,
      sourceDropletId: droplet.id,
    });
    droplet.snapshotIds.push(imageId);
  }

  delete(droplet: DropletRecord): void {
    this.state.droplets.delete(droplet.id);
    // A droplet still booting is destroyed by boot() once the provider returns.
    if (droplet.ipv4 !== undefined) this.track(this.provider.destroy(droplet.name));
  }

  /** Waits for host teardowns started by deletes. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled(this.background);
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch(() => undefined).finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }
}
