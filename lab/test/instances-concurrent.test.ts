// Lab instances never disturb each other: two instances with names of their own (so configs
// derived from the names, not the fixed default/test ones) set up, boot, fault and tear down at
// the same time, over and over. Each round both hosts answer, neither reaches the other's
// network, a fault in one leaves the other alone, and each teardown leaves nothing of its own
// instance behind while the other runs. Needs root and the lab's packages, like hosts-real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, teardownLab } from '../src/hosts/index.js';
import { labMatchers } from '../src/hosts/layout.js';
import { generateKey, labLeftovers, sshExec, tcpProbe, type KeyPair } from './hosts-support.js';

const INSTANCES = ['conc-a', 'conc-b'] as const;
const ROUNDS = 2;
const BASE = { id: 'debian-12-x64', archivePath: null };

let key: KeyPair;
let labs: Lab[];

describe('two lab instances at once', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    key = generateKey();
    labs = INSTANCES.map((instance) => new Lab({ instance }));
    labs[0]!.preflight();
    await Promise.all(INSTANCES.map((instance) => teardownLab({ instance })));
  });

  afterAll(async () => {
    // Gives the two subnets back.
    await Promise.all(INSTANCES.map((instance) => teardownLab({ instance, purge: true })));
  }, 120_000);

  it('get names, subnets and bridges of their own, derived from their names', () => {
    const [a, b] = labs.map((l) => l.config) as [Lab['config'], Lab['config']];
    expect(a.subnet).not.toBe(b.subnet);
    expect(a.bridge).not.toBe(b.bridge);
    expect(a.chain).not.toBe(b.chain);
    expect(a.root).toBe('/var/lib/slipway-lab.d/conc-a');
    // The same name gets the same configuration again (the index it claimed).
    expect(new Lab({ instance: 'conc-a' }).config).toEqual(a);
    expect(labMatchers(a).link(b.bridge)).toBe(false);
  });

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: boot, fault and tear down at the same time without touching each other`, async () => {
      const [a, b] = labs as [Lab, Lab];
      const [hostA, hostB] = await Promise.all(
        labs.map(async (lab, i) => {
          await lab.setup();
          return lab.boot({ name: `conc-${round}-${i}`, image: BASE, sshPublicKeys: [key.publicKey] });
        }),
      );
      const knownA = a.processes(hostA!.name);
      const knownB = b.processes(hostB!.name);
      for (const host of [hostA!, hostB!]) expect((await sshExec(host.ipv4, key, 'hostname')).stdout).toBe(`${host.name}\n`);

      // Neither reaches the other's network; each reaches its own gateway (this machine).
      const cross = await sshExec(hostA!.ipv4, key, `timeout 1 bash -c 'exec 3<>/dev/tcp/${hostB!.ipv4}/22' && echo open || echo closed`);
      expect(cross.stdout).toBe('closed\n');
      const back = await sshExec(hostB!.ipv4, key, `timeout 1 bash -c 'exec 3<>/dev/tcp/${hostA!.ipv4}/22' && echo open || echo closed`);
      expect(back.stdout).toBe('closed\n');
      expect((await sshExec(hostA!.ipv4, key, `ip route get ${a.config.subnet}.1 | head -1`)).stdout).toContain(a.config.subnet);

      // A fault in one instance leaves the other alone.
      await a.cutOff(hostA!.name);
      expect(await tcpProbe(hostA!.ipv4, 22, 1000)).toBe('timeout');
      expect((await sshExec(hostB!.ipv4, key, 'echo still')).stdout).toBe('still\n');
      await a.restore(hostA!.name);

      // Tearing one down while the other boots a second host: each ends up with exactly its own.
      const [reportA] = await Promise.all([a.teardown(), b.boot({ name: `conc-${round}-extra`, image: BASE, sshPublicKeys: [key.publicKey] })]);
      expect(reportA.hosts).toEqual([hostA!.name]);
      expect(await settled(() => labLeftovers(knownA, a.config))).toEqual([]);
      expect(b.list().map((h) => h.name).sort()).toEqual([`conc-${round}-1`, `conc-${round}-extra`].sort());
      expect((await sshExec(hostB!.ipv4, key, 'echo alive')).stdout).toBe('alive\n');
      const reportB = await b.teardown();
      expect(reportB.hosts.sort()).toEqual([`conc-${round}-1`, `conc-${round}-extra`].sort());
      expect(await settled(() => labLeftovers(knownB, b.config))).toEqual([]);
      expect(await settled(() => labLeftovers([], a.config))).toEqual([]);
    });
  }
});

/** Killed processes are reaped shortly after; poll until the list is empty (or 5 s). */
async function settled(f: () => string[]): Promise<string[]> {
  let left = f();
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = f();
  }
  return left;
}
