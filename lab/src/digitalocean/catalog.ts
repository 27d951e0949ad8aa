// The fixed parts of the account: the regions, sizes and distribution images a droplet can be
// created from. A few of each, with DigitalOcean's slugs, is all Slipway needs.

export interface RegionEntry {
  slug: string;
  name: string;
}

export interface SizeEntry {
  slug: string;
  memory: number;
  vcpus: number;
  disk: number;
  transfer: number;
  priceMonthly: number;
  description: string;
}

export interface BaseImageEntry {
  id: number;
  slug: string;
  name: string;
  distribution: "Debian" | "Ubuntu";
  minDiskSize: number;
}

export const REGIONS: RegionEntry[] = [
  { slug: "nyc3", name: "New York 3" },
  { slug: "ams3", name: "Amsterdam 3" },
  { slug: "fra1", name: "Frankfurt 1" },
  { slug: "lon1", name: "London 1" },
  { slug: "sfo3", name: "San Francisco 3" },
];

export const SIZES: SizeEntry[] = [
  { slug: "s-1vcpu-1gb", memory: 1024, vcpus: 1, disk: 25, transfer: 1, priceMonthly: 6, description: "Basic" },
  { slug: "s-1vcpu-2gb", memory: 2048, vcpus: 1, disk: 50, transfer: 2, priceMonthly: 12, description: "Basic" },
  { slug: "s-2vcpu-4gb", memory: 4096, vcpus: 2, disk: 80, transfer: 4, priceMonthly: 24, description: "Basic" },
];

export const BASE_IMAGES: BaseImageEntry[] = [
  { id: 150000001, slug: "debian-12-x64", name: "12 x64", distribution: "Debian", minDiskSize: 15 },
  { id: 150000002, slug: "ubuntu-24-04-x64", name: "24.04 (LTS) x64", distribution: "Ubuntu", minDiskSize: 15 },
];
