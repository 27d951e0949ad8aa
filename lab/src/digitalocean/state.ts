import type { HostImage } from "../host-provider.js";
import { BASE_IMAGES, REGIONS } from "./catalog.js";

// Everything the simulated account holds. Plain records; the presenters turn them into API
// shapes and the lifecycle module is the only writer of droplet status.

export type DropletStatus = "new" | "active" | "off" | "archive";
export type ActionStatus = "in-progress" | "completed" | "errored";

export interface DropletRecord {
  id: number;
  name: string;
  status: DropletStatus;
  /** True while an action runs on it; DigitalOcean refuses a second one meanwhile. */
  locked: boolean;
  createdAt: Date;
  region: string;
  size: string;
  imageId: number;
  tags: string[];
  sshKeyIds: number[];
  userData?: string;
  /** Set once the host booted. */
  ipv4?: string;
  /** False when a fault cut the booted host off the network. */
  reachable: boolean;
  snapshotIds: number[];
}

export interface ActionRecord {
  id: number;
  type: string;
  status: ActionStatus;
  startedAt: Date;
  completedAt: Date | null;
  resourceId: number;
  resourceType: "droplet" | "image";
  region: string;
}

export interface ImageRecord {
  id: number;
  name: string;
  type: "base" | "snapshot";
  slug: string | null;
  distribution: "Debian" | "Ubuntu" | "Unknown";
  regions: string[];
  createdAt: Date;
  minDiskSize: number;
  sizeGigabytes: number;
  tags: string[];
  /** What a droplet created from this image boots with. */
  hostImage: HostImage;
  /** For snapshots: the droplet it was taken from. */
  sourceDropletId?: number;
}

export interface SshKeyRecord {
  id: number;
  name: string;
  publicKey: string;
  fingerprint: string;
}

export class DigitalOceanState {
  readonly droplets = new Map<number, DropletRecord>();
  readonly actions = new Map<number, ActionRecord>();
  readonly images = new Map<number, ImageRecord>();
  readonly sshKeys = new Map<number, SshKeyRecord>();
  readonly tags = new Set<string>();
  private lastId = { droplet: 500_000_000, action: 2_000_000_000, image: 190_000_000, sshKey: 40_000_000 };

  constructor() {
    for (const base of BASE_IMAGES) {
      this.images.set(base.id, {
        id: base.id,
        name: base.name,
        type: "base",
        slug: base.slug,
        distribution: base.distribution,
        regions: REGIONS.map((r) => r.slug),
        createdAt: new Date("2025-06-01T00:00:00Z"),
        minDiskSize: base.minDiskSize,
        sizeGigabytes: 2.5,
        tags: [],
        hostImage: { id: base.slug, archivePath: null },
      });
    }
  }

  nextId(kind: keyof DigitalOceanState["lastId"]): number {
    return ++this.lastId[kind];
  }

  /** Image by numeric id, or a distribution image by slug (as droplet create accepts both). */
  findImage(ref: string | number): ImageRecord | undefined {
    if (typeof ref === "number" || /^\d+$/.test(ref)) return this.images.get(Number(ref));
    return [...this.images.values()].find((i) => i.slug === ref);
  }

  findSshKey(ref: string | number): SshKeyRecord | undefined {
    if (typeof ref === "number" || /^\d+$/.test(ref)) return this.sshKeys.get(Number(ref));
    return [...this.sshKeys.values()].find((k) => k.fingerprint === ref);
  }

  dropletsTagged(tag: string): DropletRecord[] {
    return [...this.droplets.values()].filter((d) => d.tags.includes(tag));
  }
}
