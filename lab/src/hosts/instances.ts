// Lab instances keep labs apart on one machine. `default` and `test` have fixed configurations;
// any other name gets one derived from it: a /24 out of 10.215.0.0 - 10.222.255.0 picked by a hash
// of the name, moving on past an index another instance holds or a subnet the machine already
// routes, with link, chain and rule names made from that index, so no two instances ever share a
// name or an address. The index is claimed once (a symlink named after it, pointing at the
// instance's name, created atomically) and kept until `teardown --purge`.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, DEFAULT_LAB_CONFIG, LAB_SHARED_DIR, TEST_LAB_CONFIG, type LabConfig } from './layout.js';

export const DEFAULT_LAB_INSTANCE = 'default';

/** Environment variable the lab's command lines read the instance from (a flag wins over it). */
export const LAB_INSTANCE_ENV = 'SLIPWAY_LAB_INSTANCE';

/** Instances whose configuration is fixed (their names, addresses and folders predate the others). */
export const FIXED_INSTANCES: Readonly<Record<string, LabConfig>> = {
  default: DEFAULT_LAB_CONFIG,
  test: TEST_LAB_CONFIG,
};

/** How many derived instances fit the address range: 10.215.0.0/24 .. 10.222.255.0/24. */
export const INSTANCE_INDEXES = 2048;
const FIRST_SECOND_OCTET = 215;

const NAME_RE = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** Where the claims of derived instances' indexes live. */
export function instanceClaimsDir(): string {
  return join(LAB_SHARED_DIR, 'instances');
}

export function validateInstanceName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new Error(`invalid lab instance name ${JSON.stringify(name)}: use 1-32 lowercase letters, digits and hyphens, starting with a letter`);
  }
}

/** The instance's folder: known from its name alone (the CLI derives default paths from it). */
export function labRootFor(name: string): string {
  validateInstanceName(name);
  return FIXED_INSTANCES[name]?.root ?? `/var/lib/slipway-lab.d/${name}`;
}

/** Pure: the configuration of a derived instance holding `index`. */
export function deriveLabConfig(name: string, index: number): LabConfig {
  validateInstanceName(name);
  if (Object.hasOwn(FIXED_INSTANCES, name)) throw new Error(`lab instance ${name} has a fixed configuration`);
  if (!Number.isInteger(index) || index < 0 || index >= INSTANCE_INDEXES) throw new Error(`invalid lab instance index ${index}`);
  const tag = `l${String(index).padStart(4, '0')}`;
  return {
    name,
    root: labRootFor(name),
    subnet: `10.${FIRST_SECOND_OCTET + (index >> 8)}.${index & 255}`,
    bridge: `slw${tag}-br`,
    netnsPrefix: `slipway-lab-${name}-`,
    vethPrefix: `slw${tag}h`,
    cgroupPrefix: `slipway-lab-${name}-`,
    ruleComment: `slipway-lab-${tag}`,
    chain: `SLW-${tag.toUpperCase()}`,
  };
}

/** FNV-1a (32 bits) of the name: where a name's search for a free index starts. */
export function instanceHash(name: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % INSTANCE_INDEXES;
}

/**
 * Pure: the first index from the name's hash on that no other instance holds and whose subnet
 * overlaps none of `routedCidrs` (the machine's routes).
 */
export function pickInstanceIndex(name: string, taken: ReadonlySet<number>, routedCidrs: readonly string[]): number {
  const start = instanceHash(name);
  for (let i = 0; i < INSTANCE_INDEXES; i++) {
    const index = (start + i) % INSTANCE_INDEXES;
    if (taken.has(index)) continue;
    const subnet = `${deriveLabConfig(name, index).subnet}.0/24`;
    if (routedCidrs.some((cidr) => cidrsOverlap(cidr, subnet))) continue;
    return index;
  }
  throw new Error(`no free lab instance subnet left (all ${INSTANCE_INDEXES} taken or routed)`);
}

/** Whether two IPv4 CIDRs share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const parse = (cidr: string): [number, number] | null => {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(cidr);
    if (!m) return null;
    const ip = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
    return [ip, m[5] === undefined ? 32 : Number(m[5])];
  };
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return false;
  const bits = Math.min(x[1], y[1]);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((x[0] & mask) >>> 0) === ((y[0] & mask) >>> 0);
}

/** The claims on disk: index -> instance name. */
function readClaims(dir: string): Map<number, string> {
  const claims = new Map<number, string>();
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return claims;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      claims.set(Number(entry), readlinkSync(join(dir, entry)));
    } catch {
      /* removed meanwhile */
    }
  }
  return claims;
}

/** The IPv4 destinations the machine routes (default routes left out). */
function routedCidrs(): string[] {
  const out = execFileSync(BIN.ip, ['-j', '-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' });
  return (JSON.parse(out || '[]') as { dst?: string }[])
    .map((r) => r.dst)
    .filter((dst): dst is string => dst !== undefined && dst !== 'default' && /^\d/.test(dst));
}

/**
 * The configuration of a named instance: fixed for `default` and `test`; for any other name the
 * one derived from the index it holds, claiming a free index the first time (needs root).
 */
export function labConfigFor(name: string): LabConfig {
  validateInstanceName(name);
  const fixed = Object.hasOwn(FIXED_INSTANCES, name) ? FIXED_INSTANCES[name] : undefined;
  if (fixed) return { ...fixed };
  const dir = instanceClaimsDir();
  for (;;) {
    const claims = readClaims(dir);
    for (const [index, owner] of claims) if (owner === name) return deriveLabConfig(name, index);
    const index = pickInstanceIndex(name, new Set(claims.keys()), routedCidrs());
    mkdirSync(dir, { recursive: true });
    try {
      // Atomic: of two processes claiming at once, one wins; the other looks again.
      symlinkSync(name, join(dir, String(index)));
      return deriveLabConfig(name, index);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** Gives a derived instance's index back (teardown --purge). Fixed instances hold none. */
export function releaseInstanceClaim(cfg: LabConfig): void {
  const dir = instanceClaimsDir();
  for (const [index, owner] of readClaims(dir)) if (owner === cfg.name) rmSync(join(dir, String(index)), { force: true });
}

/** The instance named by a flag, else by SLIPWAY_LAB_INSTANCE, else the default one. */
export function labInstanceName(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const fromEnv = env[LAB_INSTANCE_ENV]?.trim();
  const name = flag ?? (fromEnv ? fromEnv : DEFAULT_LAB_INSTANCE);
  validateInstanceName(name);
  return name;
}
