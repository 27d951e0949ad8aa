// What `npm run lab` prints once the lab is up: how to point Slipway at it. Pure.

import type { LabBaseImages } from '../hosts/images.js';

export interface LabBannerInfo {
  digitalOceanUrl: string;
  digitalOceanToken: string;
  cloudflareUrl: string;
  cloudflareToken: string;
  zones: readonly string[];
  caFile: string;
  /** First three octets of the hosts' addresses, e.g. "10.213.0". */
  subnet: string;
  runUserData: boolean;
  /** The instance's registry, `address:port`. */
  registry: string;
  /** What generated Dockerfiles start from in this lab. */
  baseImages: LabBaseImages;
  /** What cleans up after a crash (default: npm run lab -- teardown). */
  teardownCommand?: string;
}

export function labBanner(i: LabBannerInfo): string {
  const zone = i.zones[0] ?? 'example.test';
  return `Slipway lab is running.

Point Slipway at it (environment of the API server):

  SLIPWAY_DIGITALOCEAN_API_URL=${i.digitalOceanUrl} SLIPWAY_CLOUDFLARE_API_URL=${i.cloudflareUrl}
  SLIPWAY_BASE_IMAGES='${JSON.stringify(i.baseImages)}'

Store these tokens as Slipway credentials:

  DigitalOcean token: ${i.digitalOceanToken}
  Cloudflare token:   ${i.cloudflareToken}

Cloudflare zone${i.zones.length > 1 ? 's' : ''}: ${i.zones.join(', ')}
Lab CA certificate (signs Cloudflare origin certificates; trust it to check HTTPS on the hosts):
  ${i.caFile}
  e.g. curl --cacert ${i.caFile} --resolve app.${zone}:443:${i.subnet}.11 https://app.${zone}/

Droplets are real lab hosts on this machine: each one a network namespace with its own address
(${i.subnet}.11, .12, ... reachable from this machine only), its own Docker Engine, nginx and
sshd (root login with the droplet's SSH keys), and private /etc/nginx, /opt, /root, /var/lib/docker.
Images: debian-12-x64 (base images slipway-lab/busybox:latest and slipway-lab/node:20 preloaded)
and snapshots of droplets. An executable /opt/slipway/bin/slipway-agent is started at boot.
Droplets reach the npm registry and Debian's mirrors through this machine (by NAT); nothing else
this machine cannot reach itself (no Docker Hub, no PyPI, no Go module proxy).

Registry (plain HTTP; every droplet trusts it; push with a Docker Engine that lists it under
insecure-registries): ${i.registry}
  It serves the Python, Go and static base images built from Debian's packages:
  ${i.baseImages.python}, ${i.baseImages.go}, ${i.baseImages.goRuntime}
User data is ${i.runUserData ? 'run inside the host (#! scripts), like cloud-init' : 'stored, not run (--run-user-data runs #! scripts)'}.

Press Ctrl-C to stop: the lab's droplets are destroyed and the lab is torn down.
After a crash: ${i.teardownCommand ?? 'npm run lab -- teardown'}
`;
}
