import type { components } from "@slipway/digitalocean-api";
import { REGIONS, SIZES, type RegionEntry, type SizeEntry } from "./catalog.js";
import type { ActionRecord, DigitalOceanState, DropletRecord, ImageRecord, SshKeyRecord } from "./state.js";

// State records -> the JSON shapes of the DigitalOcean API, typed by the types generated from
// its OpenAPI description.

type Schemas = components["schemas"];

export function regionJson(region: RegionEntry): Schemas["region"] {
  return { slug: region.slug, name: region.name, available: true, features: ["metadata", "install_agent"], sizes: SIZES.map((s) => s.slug) };
}

export function sizeJson(size: SizeEntry): Schemas["size"] {
  return {
    slug: size.slug,
    memory: size.memory,
    vcpus: size.vcpus,
    disk: size.disk,
    transfer: size.transfer,
    price_monthly: size.priceMonthly,
    price_hourly: Math.round((size.priceMonthly / 672) * 10000) / 10000,
    regions: REGIONS.map((r) => r.slug),
    available: true,
    description: size.description,
  };
}

export function imageJson(image: ImageRecord): Schemas["image"] {
  return {
    id: image.id,
    name: image.name,
    type: image.type,
    distribution: image.distribution,
    slug: image.slug,
    public: image.type === "base",
    regions: image.regions as Schemas["region_slug"][],
    created_at: image.createdAt.toISOString(),
    min_disk_size: image.minDiskSize,
    size_gigabytes: image.sizeGigabytes,
    tags: image.tags,
    status: "available",
    error_message: "",
  };
}

export function snapshotJson(image: ImageRecord): Schemas["snapshots"] {
  return {
    id: String(image.id),
    name: image.name,
    created_at: image.createdAt.toISOString(),
    regions: image.regions,
    min_disk_size: image.minDiskSize,
    size_gigabytes: image.sizeGigabytes,
    resource_id: String(image.sourceDropletId ?? ""),
    resource_type: "droplet",
    tags: image.tags,
  };
}

export function actionJson(action: ActionRecord): Schemas["action"] {
  const region = REGIONS.find((r) => r.slug === action.region)!;
  return {
    id: action.id,
    status: action.status,
    type: action.type,
    started_at: action.startedAt.toISOString(),
    completed_at: action.completedAt?.toISOString() ?? null,
    resource_id: action.resourceId,
    resource_type: action.resourceType,
    region: regionJson(region),
    region_slug: action.region,
  };
}

export function dropletJson(droplet: DropletRecord, state: DigitalOceanState): Schemas["droplet"] {
  const size = SIZES.find((s) => s.slug === droplet.size)!;
  const region = REGIONS.find((r) => r.slug === droplet.region)!;
  const image = state.images.get(droplet.imageId);
  return {
    id: droplet.id,
    name: droplet.name,
    memory: size.memory,
    vcpus: size.vcpus,
    disk: size.disk,
    disk_info: [{ type: "local", size: { amount: size.disk, unit: "gib" } }],
    locked: droplet.locked,
    status: droplet.status,
    kernel: null,
    created_at: droplet.createdAt.toISOString(),
    features: ["droplet_agent"],
    backup_ids: [],
    next_backup_window: null,
    snapshot_ids: droplet.snapshotIds.filter((id) => state.images.has(id)),
    // The image may have been deleted since; DigitalOcean still reports what the droplet came from.
    image: image ? imageJson(image) : { id: droplet.imageId, name: "deleted", type: "snapshot", public: false },
    volume_ids: [],
    size: sizeJson(size),
    size_slug: size.slug,
    networks: {
      v4: droplet.ipv4 ? [{ ip_address: droplet.ipv4, netmask: "255.255.255.0", gateway: gatewayOf(droplet.ipv4), type: "public" }] : [],
      v6: [],
    },
    region: regionJson(region),
    tags: droplet.tags,
    vpc_uuid: "00000000-0000-4000-8000-000000000001",
  };
}

function gatewayOf(ipv4: string): string {
  return ipv4.replace(/\.\d+$/, ".1");
}

export function sshKeyJson(key: SshKeyRecord): Schemas["sshKeys"] {
  return { id: key.id, fingerprint: key.fingerprint, public_key: key.publicKey, name: key.name };
}

export function dropletSnapshotJson(image: ImageRecord): Schemas["droplet_snapshot"] {
  return {
    id: image.id,
    name: image.name,
    created_at: image.createdAt.toISOString(),
    regions: image.regions,
    min_disk_size: image.minDiskSize,
    size_gigabytes: image.sizeGigabytes,
    type: "snapshot",
  };
}

/** A tag with its resource counts; each `last_tagged_uri` is absolute, as DigitalOcean's are. */
export function tagJson(name: string, state: DigitalOceanState, baseUrl: string): Schemas["tags"] {
  const droplets = state.dropletsTagged(name);
  const images = [...state.images.values()].filter((i) => i.tags.includes(name));
  const uri = (kind: string, id: number | undefined) => (id === undefined ? {} : { last_tagged_uri: `${baseUrl}/v2/${kind}/${id}` });
  const lastDroplet = droplets.at(-1)?.id;
  const lastImage = images.at(-1)?.id;
  // Real responses say `images`; the OpenAPI description's `imgages` is a typo of its own.
  const resources: Schemas["tags"]["resources"] & { images: Schemas["tags_metadata"] } = {
    count: droplets.length + images.length,
    ...(lastDroplet !== undefined ? uri("droplets", lastDroplet) : uri("images", lastImage)),
    droplets: { count: droplets.length, ...uri("droplets", lastDroplet) },
    images: { count: images.length, ...uri("images", lastImage) },
    volumes: { count: 0 },
    volume_snapshots: { count: 0 },
    databases: { count: 0 },
  };
  return { name, resources };
}
