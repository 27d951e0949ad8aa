// What the lab records on disk about its hosts, so a later process (or a teardown after a crash)
// finds them: <root>/hosts/NAME/host.json, written whole under a temporary name and renamed, and
// the slots (addresses) hosts hold, claimed with exclusive mkdirs so two processes booting at
// once never take the same one.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { writeFile } from '../exec.js';
import { escapeRe, hostNaming, hostsDir, pickSlot, validateHostName, type HostNaming, type LabConfig } from './layout.js';

export interface ProcRef {
  pid: number;
  startTime: number;
}

export interface HostState {
  version: 1;
  name: string;
  slot: number;
  ipv4: string;
  netns: string;
  veth: string;
  imageId: string;
  netnsInode: number | null;
  holder: (ProcRef & { mntNs: number | null }) | null;
  services: Record<string, ProcRef>;
  cutOff: boolean;
  /** Powered off: no process runs and its address drops packets; files are kept. */
  poweredOff?: boolean;
  bootedAt: string;
  bootMs?: number;
}

const STATE_VERSION = 1;

export class HostStateStore {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly config: LabConfig) {}

  naming(s: Pick<HostState, 'name' | 'slot'>): HostNaming {
    return hostNaming(this.config, s.name, s.slot);
  }

  read(name: string): HostState | null {
    const file = join(hostsDir(this.config), name, 'host.json');
    try {
      const s = JSON.parse(readFileSync(file, 'utf8')) as HostState;
      return s.version === STATE_VERSION ? s : null;
    } catch {
      return null;
    }
  }

  must(name: string): HostState {
    validateHostName(name);
    const s = this.read(name);
    if (!s) throw new Error(`no lab host named ${name}`);
    return s;
  }

  all(): HostState[] {
    const dir = hostsDir(this.config);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .map((n) => this.read(n))
      .filter((s): s is HostState => s !== null);
  }

  /**
   * Claims a new host: its folder (an exclusive mkdir: a second boot of the name fails) and the
   * smallest free slot; writes its first state.
   */
  claim(name: string, imageId: string): Promise<HostNaming> {
    return this.locked(async () => {
      const dir = join(hostsDir(this.config), name);
      try {
        await fsp.mkdir(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        throw new Error(
          existsSync(join(dir, 'host.json'))
            ? `lab host ${name} already exists`
            : `lab host ${name}: leftovers in ${dir} (another process booting it, or a crash: run teardown)`,
        );
      }
      let h: HostNaming;
      try {
        h = hostNaming(this.config, name, await this.claimSlot(name));
      } catch (e) {
        await fsp.rm(dir, { recursive: true, force: true });
        throw e;
      }
      await this.write({
        version: STATE_VERSION,
        name,
        slot: h.slot,
        ipv4: h.ipv4,
        netns: h.netns,
        veth: h.veth,
        imageId,
        netnsInode: null,
        holder: null,
        services: {},
        cutOff: false,
        bootedAt: new Date().toISOString(),
      });
      return h;
    });
  }

  /** Forgets a host: its folder and its slot. */
  async forget(name: string, slot: number | null): Promise<void> {
    await fsp.rm(join(hostsDir(this.config), name), { recursive: true, force: true });
    if (slot !== null) await fsp.rm(join(this.config.root, 'slots', String(slot)), { recursive: true, force: true });
  }

  update(name: string, f: (s: HostState) => HostState): Promise<void> {
    return this.locked(async () => {
      const s = this.read(name);
      if (!s) throw new Error(`no lab host named ${name}`);
      await this.write(f(s));
    });
  }

  /** Slots of leftover namespaces of this instance (a crashed host's), which must not be reused yet. */
  netnsSlotsOnDisk(): number[] {
    if (!existsSync('/var/run/netns')) return [];
    const re = new RegExp(`^${escapeRe(this.config.netnsPrefix)}(\\d+)$`);
    return readdirSync('/var/run/netns')
      .map((n) => re.exec(n)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number);
  }

  /** Claims the smallest free slot: not a known host's, not a leftover namespace's, not claimed. */
  private async claimSlot(name: string): Promise<number> {
    const dir = join(this.config.root, 'slots');
    await fsp.mkdir(dir, { recursive: true });
    const used = [...this.all().map((s) => s.slot), ...this.netnsSlotsOnDisk()];
    for (;;) {
      const slot = pickSlot(used);
      try {
        await fsp.mkdir(join(dir, String(slot)));
        await writeFile({ path: join(dir, String(slot), 'host'), contents: `${name}\n` });
        return slot;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        used.push(slot);
      }
    }
  }

  private async write(s: HostState): Promise<void> {
    const file = join(hostsDir(this.config), s.name, 'host.json');
    await writeFile({ path: `${file}.tmp`, contents: JSON.stringify(s, null, 2) + '\n' });
    await fsp.rename(`${file}.tmp`, file);
  }

  /** Serialises state changes within this process. */
  private locked<T>(f: () => Promise<T>): Promise<T> {
    const next = this.chain.then(f, f);
    this.chain = next.catch(() => {});
    return next;
  }
}
