// The lab's real hosts, one instance of them: each host a network namespace on the instance's
// bridge with its own private view of the production paths (mount namespace held by a `sleep
// infinity`), running its own dockerd, nginx and sshd. Implements HostProvider; adds faults,
// inspection, the instance's registry and base images, and idempotent setup and teardown.
//
// The work is done by the modules next to this one: network.ts (bridge, NAT, chain),
// image-cache.ts and registry.ts (base images), lifecycle.ts (boot, destroy, capture),
// faults.ts, host-state.ts (what is on disk) and teardown.ts; commands and files are built by
// pure modules and run by ../exec.ts.

import { existsSync } from 'node:fs';
import type { BootSpec, BootedHost, HostImage, HostProvider } from '../host-provider.js';
import type { LabContext } from './context.js';
import * as faults from './faults.js';
import { BaseImageCache } from './image-cache.js';
import { labBaseImages, type LabBaseImages } from './images.js';
import { HostStateStore, type HostState } from './host-state.js';
import { labConfigFor } from './instances.js';
import { DEFAULT_LAB_CONFIG, hostFsPath, registryAddress, validateHostName, type LabConfig } from './layout.js';
import { bootHost, captureHost, destroyHost } from './lifecycle.js';
import { ensureNetwork } from './network.js';
import { isSameProcess, listProcs, namespaceInode, selectHostProcesses, selfAndAncestors } from './processes.js';
import { prerequisiteProblems } from './preflight.js';
import { ensureRegistry } from './registry.js';
import { serviceTable, type ServiceDefinition, type ServiceName } from './services.js';
import { teardownInstance, type TeardownOptions, type TeardownReport } from './teardown.js';

export type { HostState, TeardownReport };

export interface LabOptions {
  /** An instance by name (labConfigFor): its configuration is derived, and claimed, from it. */
  instance?: string;
  /** Or a configuration given outright (tests of the builders); default: the default instance. */
  config?: Partial<LabConfig>;
  /** Extra or overriding service definitions (e.g. the agent's real command line). */
  services?: ServiceDefinition[];
  /** Progress messages. */
  log?: (message: string) => void;
  /**
   * What boot does with cloud-init user data: 'store' (default) keeps it in the host's folder
   * (user-data.txt); 'run' also runs a `#!` script inside the host once its services are up, in
   * the background like cloud-init (log in logs/user-data.log). Only the paths in
   * HOST_BIND_PATHS are the host's own: a script that installs packages would change the machine.
   */
  userData?: 'store' | 'run';
  /**
   * Registries (`host:port` or a CIDR) every host's dockerd reaches over plain HTTP, besides the
   * instance's own registry: written into the host's /etc/docker/daemon.json before dockerd starts.
   */
  insecureRegistries?: string[];
}

export interface HostInfo {
  name: string;
  ipv4: string;
  slot: number;
  netns: string;
  /** The host's folder; <dir>/fs/etc/nginx is its /etc/nginx, and so on. */
  dir: string;
  fs: string;
  /** Its Docker Engine's socket, reachable from the root namespace. */
  dockerSocket: string;
  holderPid: number | null;
  services: Record<string, 'running' | 'stopped'>;
  cutOff: boolean;
  poweredOff: boolean;
  bootMs?: number;
}

export class Lab implements HostProvider {
  readonly config: LabConfig;
  private readonly ctx: LabContext;

  constructor(opts: LabOptions = {}) {
    const base = opts.instance !== undefined ? labConfigFor(opts.instance) : DEFAULT_LAB_CONFIG;
    this.config = { ...base, ...opts.config };
    const log = opts.log ?? (() => {});
    this.ctx = {
      config: this.config,
      services: [...(opts.services ?? [])],
      log,
      userData: opts.userData ?? 'store',
      insecureRegistries: [...(opts.insecureRegistries ?? [])],
      state: new HostStateStore(this.config),
      images: new BaseImageCache(log),
    };
  }

  /** Registers (or replaces) a service definition, e.g. the agent once it exists. */
  registerService(def: ServiceDefinition): void {
    const i = this.ctx.services.findIndex((d) => d.name === def.name);
    if (i >= 0) this.ctx.services[i] = def;
    else this.ctx.services.push(def);
  }

  /** The instance's registry, `address:port` on its gateway: hosts pull from it over plain HTTP. */
  get registry(): string {
    return registryAddress(this.config);
  }

  /** The images generated Dockerfiles should start from in this instance. */
  baseImages(): LabBaseImages {
    return labBaseImages(this.config);
  }

  // -------------------------------------------------------------------------------------------
  // Setup and teardown.

  /** Checks root and the programs the lab needs; throws one clear error listing what is missing. */
  preflight(): void {
    const problem = prerequisiteProblems(process.getuid?.(), existsSync);
    if (problem) throw new Error(problem);
  }

  /** Idempotent: bridge, chain and NAT, base images, the registry. */
  async setup(): Promise<void> {
    this.preflight();
    await ensureNetwork(this.ctx);
    await this.ctx.images.ensurePreloaded();
    await ensureRegistry(this.ctx);
  }

  /** Builds (or finds cached) every base image; returns the preloaded ones' tarballs. */
  async ensureImages(): Promise<Map<string, string>> {
    const preloaded = await this.ctx.images.ensurePreloaded();
    await this.ctx.images.ensureServed();
    return preloaded;
  }

  /**
   * Removes every host of this instance and everything it put on the machine outside its folder:
   * processes, namespaces, mounts, interfaces, iptables rules and chain, cgroups, its registry.
   * Works from state files and from the names alone (after a crash). Other instances' hosts and
   * names, and what they share, are never touched.
   */
  teardown(opts: TeardownOptions = {}): Promise<TeardownReport> {
    return teardownInstance(this.ctx, opts);
  }

  // -------------------------------------------------------------------------------------------
  // HostProvider.

  boot(spec: BootSpec): Promise<BootedHost> {
    this.preflight();
    return bootHost(this.ctx, spec);
  }

  async destroy(name: string): Promise<void> {
    validateHostName(name);
    await destroyHost(this.ctx, name, this.ctx.state.read(name));
  }

  capture(name: string, imageId: string): Promise<HostImage> {
    return captureHost(this.ctx, name, imageId);
  }

  // -------------------------------------------------------------------------------------------
  // Faults.

  cutOff(name: string): Promise<void> {
    return faults.cutOff(this.ctx, name);
  }

  restore(name: string): Promise<void> {
    return faults.restore(this.ctx, name);
  }

  powerOff(name: string): Promise<void> {
    return faults.powerOff(this.ctx, name);
  }

  powerOn(name: string): Promise<void> {
    return faults.powerOn(this.ctx, name);
  }

  /** Hard reboot: powerOff then powerOn. */
  async reboot(name: string): Promise<void> {
    await faults.powerOff(this.ctx, name);
    await faults.powerOn(this.ctx, name);
  }

  stopService(name: string, service: ServiceName): Promise<void> {
    return faults.stopService(this.ctx, name, service);
  }

  killService(name: string, service: ServiceName): Promise<void> {
    return faults.killService(this.ctx, name, service);
  }

  startService(name: string, service: ServiceName): Promise<void> {
    return faults.startService(this.ctx, name, service);
  }

  // -------------------------------------------------------------------------------------------
  // Inspection.

  list(): HostInfo[] {
    return this.ctx.state.all().map((s) => this.info(s));
  }

  host(name: string): HostInfo {
    return this.info(this.ctx.state.must(name));
  }

  /** Pids of every process of the host: holder, services, what they started, containers. */
  processes(name: string): number[] {
    const st = this.ctx.state.must(name);
    const h = this.ctx.state.naming(st);
    const nets = new Set<number>();
    const mnts = new Set<number>();
    const inode = namespaceInode(h.netnsPath);
    if (inode !== null) nets.add(inode);
    if (st.holder?.mntNs != null && isSameProcess(st.holder.pid, st.holder.startTime)) mnts.add(st.holder.mntNs);
    if (nets.size === 0 && mnts.size === 0) return [];
    return selectHostProcesses(listProcs(), nets, mnts, selfAndAncestors());
  }

  private info(s: HostState): HostInfo {
    const h = this.ctx.state.naming(s);
    const services: Record<string, 'running' | 'stopped'> = {};
    for (const d of serviceTable(h, this.ctx.services)) {
      const r = s.services[d.name];
      services[d.name] = r && isSameProcess(r.pid, r.startTime) ? 'running' : 'stopped';
    }
    return {
      name: s.name,
      ipv4: s.ipv4,
      slot: s.slot,
      netns: s.netns,
      dir: h.dir,
      fs: h.fs,
      dockerSocket: hostFsPath(h, '/run/docker.sock'),
      holderPid: s.holder && isSameProcess(s.holder.pid, s.holder.startTime) ? s.holder.pid : null,
      services,
      cutOff: s.cutOff,
      poweredOff: s.poweredOff ?? false,
      bootMs: s.bootMs,
    };
  }
}

/** Idempotent lab setup (bridge, address plan, base images, registry). */
export async function setupLab(opts: LabOptions = {}): Promise<Lab> {
  const lab = new Lab(opts);
  await lab.setup();
  return lab;
}

/**
 * Removes every host and leftover of one lab instance (opts.instance or opts.config; the default
 * lab without either): safe after a crash and when nothing is there.
 */
export async function teardownLab(opts: LabOptions & TeardownOptions = {}): Promise<TeardownReport> {
  return new Lab(opts).teardown({ purge: opts.purge, purgeImages: opts.purgeImages });
}
