// What `npm run lab` was asked to do: flags first, then SLIPWAY_LAB_* environment variables, then
// defaults. Pure: the caller passes argv and the environment.

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LAB_INSTANCE, LAB_INSTANCE_ENV, labInstanceName, labRootFor } from '../hosts/instances.js';

export interface LabCliOptions {
  command: 'start' | 'teardown' | 'help';
  /** Which lab instance (labConfigFor): 'default', 'test' (the lab's own suites) or any other name. */
  instance: string;
  /** teardown --purge: also remove the instance's snapshots, registry storage and lab CA. */
  purge: boolean;
  /** teardown --purge-images: also remove the base image cache every instance shares. */
  purgeImages: boolean;
  digitalOceanPort: number;
  cloudflarePort: number;
  digitalOceanToken: string;
  cloudflareToken: string;
  zones: string[];
  /** Where the Origin CA's key and certificate are kept (so the CA survives restarts). */
  cloudflareStateDir: string;
  /** Where the lab CA certificate (PEM) is written for clients to trust. */
  caFile: string;
  /** The DigitalOcean simulator's action latency. */
  actionDelayMs: number;
  /** Run `#!` user data inside droplets (like cloud-init) instead of only storing it. */
  runUserData: boolean;
}

export const DEFAULT_PORTS = { digitalOcean: 4610, cloudflare: 4620 } as const;

/** Fixed, lab-only tokens (the simulators listen on loopback only), so stored credentials survive restarts. */
export const DEFAULT_TOKENS = {
  digitalOcean: 'dop_v1_slipway_lab_digitalocean_token',
  cloudflare: 'slipway_lab_cloudflare_token',
} as const;

export const ENV = {
  digitalOceanPort: 'SLIPWAY_LAB_DO_PORT',
  cloudflarePort: 'SLIPWAY_LAB_CF_PORT',
  digitalOceanToken: 'SLIPWAY_LAB_DO_TOKEN',
  cloudflareToken: 'SLIPWAY_LAB_CF_TOKEN',
  zones: 'SLIPWAY_LAB_ZONES',
  caFile: 'SLIPWAY_LAB_CA_FILE',
  actionDelayMs: 'SLIPWAY_LAB_ACTION_DELAY_MS',
  instance: LAB_INSTANCE_ENV,
} as const;

export const USAGE = `usage: npm run lab [-- [start] [options]]    set up the lab and serve the simulators until Ctrl-C
       npm run lab -- teardown [--purge] [--purge-images]
                                                remove every lab host and leftover (after a crash)

options (environment variable in brackets):
  --do-port N          DigitalOcean simulator port on 127.0.0.1 (${ENV.digitalOceanPort}, default ${DEFAULT_PORTS.digitalOcean})
  --cf-port N          Cloudflare simulator port on 127.0.0.1 (${ENV.cloudflarePort}, default ${DEFAULT_PORTS.cloudflare})
  --do-token TOKEN     DigitalOcean token the simulator accepts (${ENV.digitalOceanToken})
  --cf-token TOKEN     Cloudflare token the simulator accepts (${ENV.cloudflareToken})
  --zone NAME          a Cloudflare zone; repeatable (${ENV.zones}, comma-separated; default example.test)
  --ca-file PATH       where to write the lab CA certificate (${ENV.caFile})
  --action-delay-ms N  DigitalOcean action latency (${ENV.actionDelayMs}, default 1000)
  --run-user-data      run droplets' #! user data inside them (default: only stored)
  --instance NAME      which lab (${ENV.instance}; without it: ${DEFAULT_LAB_INSTANCE}): any name of lowercase letters,
                       digits and hyphens; each gets its own folder, subnet, bridge, registry and names,
                       and teardown only touches that lab's
  --purge              with teardown: also remove the instance's snapshots, registry storage and lab CA
  --purge-images       with teardown: also remove the base image cache all instances share`;

const ZONE_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
// Slipway stores provider tokens of 20+ printable characters; Cloudflare's bearer tokens are URL-safe.
const DO_TOKEN_RE = /^[\x21-\x7e]{20,512}$/;
const CF_TOKEN_RE = /^[A-Za-z0-9_-]{20,512}$/;

type Env = Readonly<Record<string, string | undefined>>;

/** labRoot: where the CA and Cloudflare state go by default (the instance's folder when not given). */
export function parseLabCliArgs(argv: readonly string[], env: Env = {}, labRoot?: string): LabCliOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      'do-port': { type: 'string' },
      'cf-port': { type: 'string' },
      'do-token': { type: 'string' },
      'cf-token': { type: 'string' },
      zone: { type: 'string', multiple: true },
      'ca-file': { type: 'string' },
      'action-delay-ms': { type: 'string' },
      'run-user-data': { type: 'boolean' },
      purge: { type: 'boolean' },
      'purge-images': { type: 'boolean' },
      instance: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (positionals.length > 1) throw new Error(`unexpected arguments: ${positionals.slice(1).join(' ')}\n${USAGE}`);
  const verb = positionals[0] ?? 'start';
  if (verb !== 'start' && verb !== 'teardown' && verb !== 'help') throw new Error(`unknown command ${verb}\n${USAGE}`);
  const command = values.help ? 'help' : verb;
  if ((values.purge || values['purge-images']) && command !== 'teardown') throw new Error('--purge and --purge-images go with teardown');

  const pick = (flag: string | undefined, name: keyof typeof ENV): string | undefined => flag ?? nonEmpty(env[ENV[name]]);
  const instance = labInstanceName(values.instance, env);
  const root = labRoot ?? labRootFor(instance);
  const zones = values.zone ?? pick(undefined, 'zones')?.split(',').map((z) => z.trim()).filter(Boolean) ?? ['example.test'];
  for (const z of zones) if (!ZONE_RE.test(z)) throw new Error(`not a zone name: ${JSON.stringify(z)}`);
  const digitalOceanToken = pick(values['do-token'], 'digitalOceanToken') ?? DEFAULT_TOKENS.digitalOcean;
  if (!DO_TOKEN_RE.test(digitalOceanToken)) throw new Error('the DigitalOcean token must be 20 to 512 printable characters without spaces');
  const cloudflareToken = pick(values['cf-token'], 'cloudflareToken') ?? DEFAULT_TOKENS.cloudflare;
  if (!CF_TOKEN_RE.test(cloudflareToken)) throw new Error('the Cloudflare token must be 20 to 512 of A-Z a-z 0-9 _ -');
  const cloudflareStateDir = join(root, 'cloudflare');

  return {
    command,
    instance,
    purge: values.purge ?? false,
    purgeImages: values['purge-images'] ?? false,
    digitalOceanPort: port(pick(values['do-port'], 'digitalOceanPort'), DEFAULT_PORTS.digitalOcean, 'DigitalOcean port'),
    cloudflarePort: port(pick(values['cf-port'], 'cloudflarePort'), DEFAULT_PORTS.cloudflare, 'Cloudflare port'),
    digitalOceanToken,
    cloudflareToken,
    zones: [...new Set(zones)],
    cloudflareStateDir,
    caFile: pick(values['ca-file'], 'caFile') ?? join(root, 'lab-ca.pem'),
    actionDelayMs: integer(pick(values['action-delay-ms'], 'actionDelayMs'), 1000, 0, 600_000, 'action delay'),
    runUserData: values['run-user-data'] ?? false,
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function port(raw: string | undefined, fallback: number, what: string): number {
  return integer(raw, fallback, 0, 65535, what);
}

function integer(raw: string | undefined, fallback: number, min: number, max: number, what: string): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new Error(`${what} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  return Number(raw);
}
