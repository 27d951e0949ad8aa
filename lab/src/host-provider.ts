// The seam between the DigitalOcean simulator and the lab's real hosts: the simulator decides
// *when* a droplet boots or dies; a HostProvider makes it real (network namespace, dockerd,
// nginx, sshd). Tests can run the simulator with a provider that boots nothing.

/** What a DigitalOcean image or snapshot holds in the lab: the files a host had when captured. */
export interface HostImage {
  /** Image slug (e.g. "debian-12-x64") or the snapshot's id. */
  id: string;
  /** Path to a tarball of the host's persistent paths, or null for a base image. */
  archivePath: string | null;
}

export interface BootSpec {
  /** Droplet name; unique among running lab hosts. */
  name: string;
  image: HostImage;
  /** Public keys (OpenSSH format) to put in root's authorized_keys. */
  sshPublicKeys: string[];
  /** cloud-init user data, if the create request carried any. */
  userData?: string;
}

export interface BootedHost {
  name: string;
  /** The droplet's public IPv4: the host's namespace address. */
  ipv4: string;
}

export interface HostProvider {
  boot(spec: BootSpec): Promise<BootedHost>;
  /** Stops every process of the host and removes its namespace, mounts and files. */
  destroy(name: string): Promise<void>;
  /** Captures the host's persistent paths into an image (for droplet snapshots). */
  capture(name: string, imageId: string): Promise<HostImage>;
}
