import type { BootSpec, BootedHost, HostImage, HostProvider } from "../host-provider.js";

// A HostProvider that boots nothing: each droplet gets an address from a documentation range
// (TEST-NET-3, 203.0.113.0/24), so simulator-only tests never touch the network.

export class NullHostProvider implements HostProvider {
  /** Hosts "running" now, by name, with the spec they were booted from. */
  readonly hosts = new Map<string, BootSpec & BootedHost>();
  /** Images captured, by id. */
  readonly captures = new Map<string, HostImage>();
  private nextOctet = 10;

  constructor(private readonly prefix = "203.0.113") {}

  async boot(spec: BootSpec): Promise<BootedHost> {
    if (this.hosts.has(spec.name)) throw new Error(`host ${spec.name} is already running`);
    if (this.nextOctet > 254) throw new Error("address pool exhausted");
    const host = { ...spec, ipv4: `${this.prefix}.${this.nextOctet++}` };
    this.hosts.set(spec.name, host);
    return { name: host.name, ipv4: host.ipv4 };
  }

  async destroy(name: string): Promise<void> {
    this.hosts.delete(name);
  }

  async capture(name: string, imageId: string): Promise<HostImage> {
    if (!this.hosts.has(name)) throw new Error(`host ${name} is not running`);
    const image = { id: imageId, archivePath: null };
    this.captures.set(imageId, image);
    return image;
  }
}
