// The lab's real hosts: each a network namespace on the lab bridge with its own private view of
// the production paths (mount namespace held by a `sleep infinity`), running its own dockerd,
// nginx and sshd. Implements HostProvider; adds fault injection and idempotent setup/teardown.
//
// Commands and files are built by the pure modules next to this one and run by ../exec.ts.

import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyFsSteps, run, runAll, signalProcess, startDaemon, writeFile, type FsStep } from '../exec.js';
import type { BootSpec, BootedHost, HostImage, HostProvider } from '../host-provider.js';
import * as C from './commands.js';
import {
  BASE_IMAGES,
  IMAGE_RECIPE_VERSION,
  busyboxListCommand,
  busyboxRootfsSteps,
  lddCommand,
  nodeRootfsSteps,
  parseBusyboxList,
  parseLdd,
  rootfsTarCommand,
  type BaseImage,
} from './images.js';
import {
  BIN,
  CAPTURED_PATHS,
  CAPTURE_EXCLUDES,
  DEFAULT_LAB_CONFIG,
  HOST_BIND_PATHS,
  MACHINE_MOUNT_POINTS,
  hostFsPath,
  hostNaming,
  hostsDir,
  imagesDir,
  labMatchers,
  pickSlot,
  snapshotsDir,
  validateHostName,
  validateImageId,
  type HostNaming,
  type LabConfig,
} from './layout.js';
import { dockerDaemonConfigSteps } from './docker-daemon-config.js';
import { nginxDefaultConfigSteps } from './nginx-default-config.js';
import {
  isSameProcess,
  listProcs,
  namespaceInode,
  readProc,
  selectHostProcesses,
  selfAndAncestors,
} from './processes.js';
import { prerequisiteProblems } from './preflight.js';
import { authorizedKeys, SSH_HOST_KEY_TYPES, sshdConfig } from './sshd-config.js';
import { BOOT_ORDER, serviceDaemon, serviceTable, type ServiceDefinition, type ServiceName } from './services.js';

export interface LabOptions {
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
   * Registries (`host:port` or a CIDR) every host's dockerd reaches over plain HTTP: written into
   * the host's /etc/docker/daemon.json as `insecure-registries` before dockerd starts.
   */
  insecureRegistries?: string[];
}

interface ProcRef {
  pid: number;
  startTime: number;
}

/** What the lab records on disk about a host (so a later process, or teardown after a crash, finds it). */
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

export interface TeardownReport {
  hosts: string[];
  killedPids: number[];
  netns: string[];
  links: string[];
  iptablesRules: number;
  cgroups: string[];
  unmounted: string[];
}

const STATE_VERSION = 1;
/** Where a host's user data script is put (inside the host) when it is run. */
const USER_DATA_PATH = '/run/slipway-lab/user-data';

export class Lab implements HostProvider {
  readonly config: LabConfig;
  private readonly registered: ServiceDefinition[];
  private readonly log: (m: string) => void;
  private readonly userDataMode: 'store' | 'run';
  private readonly insecureRegistries: string[];
  private chain: Promise<unknown> = Promise.resolve();
  private imagesReady: Promise<Map<string, string>> | null = null;

  constructor(opts: LabOptions = {}) {
    this.config = { ...DEFAULT_LAB_CONFIG, ...opts.config };
    this.registered = [...(opts.services ?? [])];
    this.log = opts.log ?? (() => {});
    this.userDataMode = opts.userData ?? 'store';
    this.insecureRegistries = [...(opts.insecureRegistries ?? [])];
  }

  /** Registers (or replaces) a service definition, e.g. the agent once it exists. */
  registerService(def: ServiceDefinition): void {
    const i = this.registered.findIndex((d) => d.name === def.name);
    if (i >= 0) this.registered[i] = def;
    else this.registered.push(def);
  }

  // -------------------------------------------------------------------------------------------
  // Setup and teardown.

  /** Checks root and the programs the lab needs; throws one clear error listing what is missing. */
  preflight(): void {
    const problem = prerequisiteProblems(process.getuid?.(), existsSync);
    if (problem) throw new Error(problem);
  }

  /** Idempotent: bridge, address, forward rule, folders, base images. */
  async setup(): Promise<void> {
    this.preflight();
    await this.ensureNetwork();
    await this.ensureImages();
  }

  /** Cheap enough to run before every boot (another process may have torn the lab down). */
  private async ensureNetwork(): Promise<void> {
    const cfg = this.config;
    const shown = await run(C.linkShow(cfg.bridge));
    if (shown.exitCode !== 0) {
      await run(C.bridgeCreate(cfg)).catch(async (error: unknown) => {
        // Another process may have created it between the check and the create: that is fine.
        if ((await run(C.linkShow(cfg.bridge))).exitCode !== 0) throw error;
      });
    }
    await run(C.bridgeAddress(cfg));
    await run(C.linkUp(cfg.bridge));
    const rule = await run(C.forwardRuleCheck(cfg));
    if (rule.exitCode !== 0) await run(C.forwardRuleInsert(cfg));
    await applyFsSteps([
      { kind: 'mkdir', path: hostsDir(cfg) },
      { kind: 'mkdir', path: imagesDir(cfg) },
      { kind: 'mkdir', path: snapshotsDir(cfg) },
      // Bind mounts need their mount points.
      ...MACHINE_MOUNT_POINTS.map((p): FsStep => ({ kind: 'mkdir', path: p, mode: 0o710 })),
    ]);
  }

  /** Builds the base image tarballs once (cached on disk); returns tag -> tarball path. */
  async ensureImages(): Promise<Map<string, string>> {
    if (this.imagesReady) {
      const ready = await this.imagesReady.catch(() => null);
      if (ready && [...ready.values()].every((p) => existsSync(p))) return ready;
      this.imagesReady = null;
    }
    this.imagesReady ??= this.buildImages().catch((e: unknown) => {
      this.imagesReady = null;
      throw e;
    });
    return this.imagesReady;
  }

  private async buildImages(): Promise<Map<string, string>> {
    const dir = imagesDir(this.config);
    await fsp.mkdir(dir, { recursive: true });
    const fingerprint = JSON.stringify({
      recipe: IMAGE_RECIPE_VERSION,
      node: fileStamp(BIN.node),
      busybox: fileStamp(BIN.busybox),
    });
    const out = new Map<string, string>();
    let applets: string[] | null = null;
    for (const img of BASE_IMAGES) {
      const tarball = join(dir, img.tarball);
      const stampFile = `${tarball}.stamp`;
      out.set(img.tag, tarball);
      if (existsSync(tarball) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === fingerprint) continue;
      const t0 = Date.now();
      applets ??= parseBusyboxList((await run(busyboxListCommand())).stdout);
      // Per-process staging and temporary names: another process may build at the same time.
      const staging = join(dir, `build-${img.key}-${process.pid}`);
      const tmp = `${tarball}.${process.pid}.tmp`;
      const steps: FsStep[] =
        img.key === 'busybox'
          ? busyboxRootfsSteps(staging, applets)
          : nodeRootfsSteps(staging, applets, BIN.node, parseLdd((await run(lddCommand(BIN.node))).stdout));
      await applyFsSteps(steps);
      await run(rootfsTarCommand(staging, tmp));
      await fsp.rename(tmp, tarball);
      await writeFile({ path: `${stampFile}.${process.pid}`, contents: fingerprint });
      await fsp.rename(`${stampFile}.${process.pid}`, stampFile);
      await applyFsSteps([{ kind: 'remove', path: staging }]);
      this.log(`built base image ${img.tag} in ${Date.now() - t0} ms`);
    }
    return out;
  }

  /**
   * Removes every host of this lab instance (its config) and everything it put on the machine
   * outside its folder: processes, namespaces, mounts, interfaces, iptables rules, cgroups. Works
   * from state files and from the names alone (after a crash). Other instances' hosts and names
   * are never touched. With purge, the cached images and snapshots go too.
   */
  async teardown(opts: { purge?: boolean } = {}): Promise<TeardownReport> {
    const cfg = this.config;
    // Only this instance's names: another instance's hosts (e.g. the default lab's next to the
    // test instance's) are not leftovers of this one.
    const ours = labMatchers(cfg);
    const report: TeardownReport = { hosts: [], killedPids: [], netns: [], links: [], iptablesRules: 0, cgroups: [], unmounted: [] };
    // 1. Hosts with state files.
    for (const st of this.readAllStates()) {
      report.hosts.push(st.name);
      const r = await this.destroyHost(st.name, st);
      report.killedPids.push(...r.killed);
    }
    // Host folders without a readable state file.
    if (existsSync(hostsDir(cfg))) {
      for (const name of readdirSync(hostsDir(cfg))) {
        await fsp.rm(join(hostsDir(cfg), name), { recursive: true, force: true });
      }
    }
    // 2. Namespaces left without state.
    for (const ns of await this.labNetns()) {
      const inode = namespaceInode(`/var/run/netns/${ns}`);
      if (inode !== null) report.killedPids.push(...(await killNamespaces(new Set([inode]), new Set())));
      await run(C.netnsDelete(ns));
      report.netns.push(ns);
    }
    // 3. Interfaces.
    const links = JSON.parse((await run(C.linkList())).stdout || '[]') as { ifname: string }[];
    for (const l of links) {
      if (ours.link(l.ifname)) {
        await run(C.linkDelete(l.ifname));
        report.links.push(l.ifname);
      }
    }
    // 4. iptables rules in the root namespace.
    const deletes = C.labRuleDeletes((await run(C.iptablesSave())).stdout, cfg);
    await runAll(deletes);
    report.iptablesRules = deletes.length;
    // 5. cgroups of containers.
    report.cgroups.push(...(await removeCgroups((n) => ours.cgroup(n))));
    // 6. The /run/netns mount `ip netns add` makes, once no namespace is left in it.
    if (isMountPoint('/run/netns') && existsSync('/run/netns') && readdirSync('/run/netns').length === 0) {
      await run(C.unmountNetnsDir());
      report.unmounted.push('/run/netns');
    }
    await fsp.rm(join(cfg.root, 'slots'), { recursive: true, force: true });
    if (opts.purge) await fsp.rm(cfg.root, { recursive: true, force: true });
    if (opts.purge) this.imagesReady = null;
    return report;
  }

  // -------------------------------------------------------------------------------------------
  // HostProvider.

  async boot(spec: BootSpec): Promise<BootedHost> {
    const t0 = Date.now();
    validateHostName(spec.name);
    const keys = authorizedKeys(spec.sshPublicKeys);
    this.preflight();
    await this.ensureNetwork();
    const imagesP = this.ensureImages();
    const h = await this.locked(async () => {
      // The host's folder and its slot are claimed with exclusive mkdirs, so two processes
      // booting at once cannot take the same name or address.
      const dir = join(hostsDir(this.config), spec.name);
      try {
        await fsp.mkdir(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        throw new Error(
          existsSync(join(dir, 'host.json'))
            ? `lab host ${spec.name} already exists`
            : `lab host ${spec.name}: leftovers in ${dir} (another process booting it, or a crash: run teardown)`,
        );
      }
      let h: HostNaming;
      try {
        const slot = await this.claimSlot(spec.name);
        h = hostNaming(this.config, spec.name, slot);
      } catch (e) {
        await fsp.rm(dir, { recursive: true, force: true });
        throw e;
      }
      const slot = h.slot;
      await this.writeState({
        version: STATE_VERSION,
        name: spec.name,
        slot,
        ipv4: h.ipv4,
        netns: h.netns,
        veth: h.veth,
        imageId: spec.image.id,
        netnsInode: null,
        holder: null,
        services: {},
        cutOff: false,
        bootedAt: new Date().toISOString(),
      });
      return h;
    });
    try {
      // Leftovers of a crashed earlier host in the same slot.
      const staleInode = namespaceInode(h.netnsPath);
      if (staleInode !== null) await killNamespaces(new Set([staleInode]), new Set());
      await run(C.netnsDelete(h.netns));
      await run(C.linkDelete(h.veth));
      await removeCgroups((n) => `/${n}` === h.cgroupParent);

      await this.prepareFiles(h, spec, keys);
      await runAll([C.netnsAdd(h), ...C.hostNetworkSetup(this.config, h)]);
      await this.updateState(spec.name, (s) => ({ ...s, netnsInode: namespaceInode(h.netnsPath) }));

      const holder = await this.startHolder(h);
      await this.updateState(spec.name, (s) => ({ ...s, holder }));

      await this.startServices(h, holder.pid, async () => this.loadImages(h, await imagesP));
      if (this.userDataMode === 'run' && spec.userData?.startsWith('#!')) {
        await writeFile({ path: hostFsPath(h, USER_DATA_PATH), contents: spec.userData, mode: 0o700 });
        startDaemon(C.userDataDaemon(h, holder.pid, USER_DATA_PATH));
      }
      const bootMs = Date.now() - t0;
      await this.updateState(spec.name, (s) => ({ ...s, bootMs }));
      this.log(`booted ${spec.name} at ${h.ipv4} in ${bootMs} ms`);
      return { name: spec.name, ipv4: h.ipv4 };
    } catch (e) {
      await this.destroy(spec.name).catch(() => {});
      throw e;
    }
  }

  async destroy(name: string): Promise<void> {
    validateHostName(name);
    await this.destroyHost(name, this.readState(name));
  }

  async capture(name: string, imageId: string): Promise<HostImage> {
    validateImageId(imageId);
    const h = this.naming(this.mustState(name));
    await fsp.mkdir(snapshotsDir(this.config), { recursive: true });
    const archivePath = join(snapshotsDir(this.config), `${imageId}.tar.gz`);
    const paths = CAPTURED_PATHS.filter((p) => existsSync(join(h.fs, p)));
    const tmp = `${archivePath}.${process.pid}.tmp`;
    // Exit 1: a file changed while being read (a live log); the archive is still complete.
    await run({ ...C.captureArchive(h.fs, tmp, paths, CAPTURE_EXCLUDES), okExitCodes: [0, 1] });
    await fsp.rename(tmp, archivePath);
    return { id: imageId, archivePath };
  }

  // -------------------------------------------------------------------------------------------
  // Faults.

  /** Network partition: every packet on the host's interface is dropped (connections time out). */
  async cutOff(name: string): Promise<void> {
    const st = this.mustState(name);
    const h = this.naming(st);
    const present = await run(C.cutOffCheck(this.config, h));
    if (present.exitCode !== 0) await runAll(C.cutOffCommands(this.config, h));
    await this.updateState(name, (s) => ({ ...s, cutOff: true }));
  }

  async restore(name: string): Promise<void> {
    const st = this.mustState(name);
    const h = this.naming(st);
    await runAll(C.restoreCommands(this.config, h));
    await this.updateState(name, (s) => ({ ...s, cutOff: false }));
  }

  /**
   * Pulls the plug: every process of the host dies at once and its address drops packets (like a
   * powered-off droplet: connections time out). Files, Docker's data and images are kept.
   */
  async powerOff(name: string): Promise<void> {
    const st = this.mustState(name);
    const h = this.naming(st);
    if (st.poweredOff) return;
    await this.updateState(name, (s) => ({ ...s, poweredOff: true }));
    const nets = new Set<number>();
    const inode = namespaceInode(h.netnsPath);
    if (inode !== null) nets.add(inode);
    const mnts = new Set<number>();
    if (st.holder?.mntNs != null && isSameProcess(st.holder.pid, st.holder.startTime)) mnts.add(st.holder.mntNs);
    await killNamespaces(nets, mnts);
    const present = await run(C.cutOffCheck(this.config, h));
    if (present.exitCode !== 0) await runAll(C.cutOffCommands(this.config, h));
    await this.updateState(name, (s) => ({ ...s, holder: null, services: {} }));
  }

  /** Boots a powered-off host again from its files (/run starts empty, services autostart). */
  async powerOn(name: string): Promise<void> {
    const st = this.mustState(name);
    const h = this.naming(st);
    if (!st.poweredOff) return;
    await applyFsSteps([
      { kind: 'remove', path: hostFsPath(h, '/run') },
      { kind: 'mkdir', path: hostFsPath(h, '/run'), mode: 0o755 },
      { kind: 'mkdir', path: hostFsPath(h, '/run/sshd'), mode: 0o755 },
    ]);
    const holder = await this.startHolder(h);
    await this.updateState(name, (s) => ({ ...s, holder }));
    if (!st.cutOff) await runAll(C.restoreCommands(this.config, h));
    await this.startServices(h, holder.pid, async () => {});
    await this.updateState(name, (s) => ({ ...s, poweredOff: false }));
  }

  /** Hard reboot: powerOff then powerOn. */
  async reboot(name: string): Promise<void> {
    await this.powerOff(name);
    await this.powerOn(name);
  }

  /** Graceful stop: SIGTERM, then SIGKILL after the service's stop timeout. */
  async stopService(name: string, service: ServiceName): Promise<void> {
    const st = this.mustState(name);
    const def = requireService(serviceTable(this.naming(st), this.registered), service);
    const ref = st.services[service];
    if (ref && isSameProcess(ref.pid, ref.startTime)) {
      signalProcess(ref.pid, 'SIGTERM');
      if (!(await waitGone(ref, def.stopTimeoutMs))) {
        signalProcess(ref.pid, 'SIGKILL');
        await waitGone(ref, 5_000);
      }
    }
    await this.updateState(name, (s) => ({ ...s, services: omit(s.services, service) }));
  }

  /** Crash: SIGKILL, no cleanup (a killed dockerd leaves its containerd and containers running). */
  async killService(name: string, service: ServiceName): Promise<void> {
    const st = this.mustState(name);
    requireService(serviceTable(this.naming(st), this.registered), service);
    const ref = st.services[service];
    if (ref && isSameProcess(ref.pid, ref.startTime)) {
      signalProcess(ref.pid, 'SIGKILL');
      await waitGone(ref, 5_000);
    }
    await this.updateState(name, (s) => ({ ...s, services: omit(s.services, service) }));
  }

  /** Starts a service (no-op when it runs) and waits until it is ready. */
  async startService(name: string, service: ServiceName): Promise<void> {
    const st = this.mustState(name);
    const h = this.naming(st);
    if (!st.holder || !isSameProcess(st.holder.pid, st.holder.startTime)) throw new Error(`lab host ${name} is not running`);
    const def = requireService(serviceTable(h, this.registered), service);
    const ref = st.services[service];
    if (ref && isSameProcess(ref.pid, ref.startTime)) return;
    await this.startServiceProcess(h, st.holder.pid, def);
  }

  // -------------------------------------------------------------------------------------------
  // Inspection.

  list(): HostInfo[] {
    return this.readAllStates().map((s) => this.info(s));
  }

  host(name: string): HostInfo {
    return this.info(this.mustState(name));
  }

  /** Pids of every process of the host: holder, services, what they started, containers. */
  processes(name: string): number[] {
    const st = this.mustState(name);
    const h = this.naming(st);
    const nets = new Set<number>();
    const mnts = new Set<number>();
    const inode = namespaceInode(h.netnsPath);
    if (inode !== null) nets.add(inode);
    if (st.holder?.mntNs != null && isSameProcess(st.holder.pid, st.holder.startTime)) mnts.add(st.holder.mntNs);
    if (nets.size === 0 && mnts.size === 0) return [];
    return selectHostProcesses(listProcs(), nets, mnts, selfAndAncestors());
  }

  // -------------------------------------------------------------------------------------------
  // Internals.

  private info(s: HostState): HostInfo {
    const h = this.naming(s);
    const services: Record<string, 'running' | 'stopped'> = {};
    for (const d of serviceTable(h, this.registered)) {
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

  private naming(s: HostState): HostNaming {
    return hostNaming(this.config, s.name, s.slot);
  }

  private shouldAutostart(h: HostNaming, d: ServiceDefinition): boolean {
    if (d.autostart === 'always') return true;
    const bin = d.argv[0];
    return bin !== undefined && existsSync(hostFsPath(h, bin));
  }

  private async prepareFiles(h: HostNaming, spec: BootSpec, keys: string): Promise<void> {
    const fs = h.fs;
    const modes: Record<string, number> = { '/root': 0o700, '/tmp': 0o1777, '/var/lib/docker': 0o710 };
    await applyFsSteps([
      { kind: 'mkdir', path: h.logs },
      ...HOST_BIND_PATHS.map((p): FsStep => ({ kind: 'mkdir', path: hostFsPath(h, p), mode: modes[p] ?? 0o755 })),
    ]);
    if (spec.image.archivePath !== null) {
      if (!existsSync(spec.image.archivePath)) throw new Error(`image ${spec.image.id}: archive ${spec.image.archivePath} not found`);
      await run(C.restoreArchive(fs, spec.image.archivePath));
    }
    const etcNginx = hostFsPath(h, '/etc/nginx');
    if (!existsSync(join(etcNginx, 'nginx.conf'))) await applyFsSteps(nginxDefaultConfigSteps(etcNginx));
    const etcContainerd = hostFsPath(h, '/etc/containerd');
    if (!existsSync(join(etcContainerd, 'config.toml')) && existsSync('/etc/containerd/config.toml')) {
      await applyFsSteps([{ kind: 'copy', from: '/etc/containerd/config.toml', to: join(etcContainerd, 'config.toml') }]);
    }
    const etcDocker = hostFsPath(h, '/etc/docker');
    const daemonJson = join(etcDocker, 'daemon.json');
    await applyFsSteps(dockerDaemonConfigSteps(etcDocker, existsSync(daemonJson) ? readFileSync(daemonJson, 'utf8') : null, this.insecureRegistries));
    const etcSsh = hostFsPath(h, '/etc/ssh');
    const steps: FsStep[] = [];
    if (!existsSync(join(etcSsh, 'sshd_config'))) {
      steps.push({ kind: 'write', file: { path: join(etcSsh, 'sshd_config'), contents: sshdConfig() } });
    }
    for (const f of readdirSync(etcSsh)) if (f.startsWith('ssh_host_')) steps.push({ kind: 'remove', path: join(etcSsh, f) });
    steps.push(
      { kind: 'mkdir', path: hostFsPath(h, '/root/.ssh'), mode: 0o700 },
      { kind: 'write', file: { path: hostFsPath(h, '/root/.ssh/authorized_keys'), contents: keys, mode: 0o600 } },
      { kind: 'mkdir', path: hostFsPath(h, '/run/sshd'), mode: 0o755 },
      { kind: 'mkdir', path: hostFsPath(h, '/opt/slipway'), mode: 0o755 },
    );
    if (spec.userData !== undefined) {
      steps.push({ kind: 'write', file: { path: join(h.dir, 'user-data.txt'), contents: spec.userData, mode: 0o600 } });
    }
    await applyFsSteps(steps);
    await Promise.all(
      SSH_HOST_KEY_TYPES.map((t) => run(C.sshHostKeygen(join(etcSsh, `ssh_host_${t}_key`), t, `root@${h.name}`))),
    );
  }

  /** Starts the boot-order services one by one, then the rest (and `alongside`) together. */
  private async startServices(h: HostNaming, holderPid: number, alongside: () => Promise<void>): Promise<void> {
    const table = serviceTable(h, this.registered);
    for (const name of BOOT_ORDER) await this.startServiceProcess(h, holderPid, requireService(table, name));
    const others = table.filter((d) => !BOOT_ORDER.includes(d.name) && this.shouldAutostart(h, d));
    await Promise.all([alongside(), ...others.map((d) => this.startServiceProcess(h, holderPid, d))]);
  }

  private async startHolder(h: HostNaming): Promise<ProcRef & { mntNs: number | null }> {
    const pid = startDaemon(C.holderDaemon(h));
    const ownMnt = readProc(process.pid)?.mntNs ?? null;
    const deadline = Date.now() + 10_000;
    let info = readProc(pid);
    // Until unshare has run, the pid is still nsenter/unshare in our mount namespace.
    while (!(info && info.comm === 'sleep' && info.mntNs !== null && info.mntNs !== ownMnt)) {
      if (Date.now() > deadline) throw new Error(`lab host ${h.name}: namespace holder did not start (see ${h.logs}/holder.log)`);
      await sleep(10);
      info = readProc(pid);
    }
    // Copies of other hosts' namespace files would keep them alive after they are destroyed.
    const mountinfo = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    await runAll(C.nsfsMountPoints(mountinfo).map((m) => C.holderUnmount(pid, m)));
    await runAll(C.holderBindMounts(pid, HOST_BIND_PATHS.map((p) => ({ from: hostFsPath(h, p), to: p }))));
    await run(C.holderSetHostname(pid, h.name));
    return { pid, startTime: info.startTime, mntNs: info.mntNs };
  }

  private async startServiceProcess(h: HostNaming, holderPid: number, def: ServiceDefinition): Promise<void> {
    const pid = startDaemon(serviceDaemon(h, holderPid, def));
    const info = readProc(pid);
    if (!info) throw new Error(`lab host ${h.name}: ${def.name} exited at once (see ${h.logs}/${def.name}.log)`);
    const ref = { pid, startTime: info.startTime };
    await this.updateState(h.name, (s) => ({ ...s, services: { ...s.services, [def.name]: ref } }));
    await waitReady(h, def, ref);
  }

  private async loadImages(h: HostNaming, images: Map<string, string>): Promise<void> {
    const socket = hostFsPath(h, '/run/docker.sock');
    await Promise.all(
      BASE_IMAGES.map((img: BaseImage) => {
        const tarball = images.get(img.tag);
        if (!tarball) throw new Error(`base image ${img.tag} was not built`);
        return run(C.dockerImport(socket, tarball, img.tag, img.changes));
      }),
    );
  }

  private async destroyHost(name: string, st: HostState | null): Promise<{ killed: number[] }> {
    const cfg = this.config;
    const killed: number[] = [];
    if (st) {
      const h = this.naming(st);
      const nets = new Set<number>();
      const mnts = new Set<number>();
      const live = namespaceInode(h.netnsPath);
      if (live !== null) nets.add(live);
      if (st.netnsInode !== null) nets.add(st.netnsInode);
      if (st.holder?.mntNs != null && isSameProcess(st.holder.pid, st.holder.startTime)) mnts.add(st.holder.mntNs);
      killed.push(...(await killNamespaces(nets, mnts)));
      await run(C.netnsDelete(h.netns));
      await run(C.linkDelete(h.veth));
      await removeCgroups((n) => `/${n}` === h.cgroupParent);
    }
    await fsp.rm(join(hostsDir(cfg), name), { recursive: true, force: true });
    if (st) await fsp.rm(join(cfg.root, 'slots', String(st.slot)), { recursive: true, force: true });
    return { killed };
  }

  /** Claims the smallest free slot: not a known host's, not a leftover namespace's, not claimed. */
  private async claimSlot(name: string): Promise<number> {
    const dir = join(this.config.root, 'slots');
    await fsp.mkdir(dir, { recursive: true });
    const used = [...this.readAllStates().map((s) => s.slot), ...this.netnsSlotsOnDisk()];
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

  private netnsSlotsOnDisk(): number[] {
    if (!existsSync('/var/run/netns')) return [];
    const re = new RegExp(`^${escapeRe(this.config.netnsPrefix)}(\\d+)$`);
    return readdirSync('/var/run/netns')
      .map((n) => re.exec(n)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number);
  }

  private async labNetns(): Promise<string[]> {
    const out = (await run(C.netnsList())).stdout.trim();
    const list = out ? (JSON.parse(out) as { name: string }[]) : [];
    const ours = labMatchers(this.config);
    return list.map((n) => n.name).filter((n) => ours.netns(n));
  }

  private readState(name: string): HostState | null {
    const file = join(hostsDir(this.config), name, 'host.json');
    try {
      const s = JSON.parse(readFileSync(file, 'utf8')) as HostState;
      return s.version === STATE_VERSION ? s : null;
    } catch {
      return null;
    }
  }

  private mustState(name: string): HostState {
    validateHostName(name);
    const s = this.readState(name);
    if (!s) throw new Error(`no lab host named ${name}`);
    return s;
  }

  private readAllStates(): HostState[] {
    const dir = hostsDir(this.config);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .map((n) => this.readState(n))
      .filter((s): s is HostState => s !== null);
  }

  private async writeState(s: HostState): Promise<void> {
    const file = join(hostsDir(this.config), s.name, 'host.json');
    await writeFile({ path: `${file}.tmp`, contents: JSON.stringify(s, null, 2) + '\n' });
    await fsp.rename(`${file}.tmp`, file);
  }

  private updateState(name: string, f: (s: HostState) => HostState): Promise<void> {
    return this.locked(async () => {
      const s = this.readState(name);
      if (!s) throw new Error(`no lab host named ${name}`);
      await this.writeState(f(s));
    });
  }

  /** Serialises state changes within this process. */
  private locked<T>(f: () => Promise<T>): Promise<T> {
    const next = this.chain.then(f, f);
    this.chain = next.catch(() => {});
    return next;
  }
}

// ---------------------------------------------------------------------------------------------
// Module-level helpers and the CLI-friendly functions.

/** Idempotent lab setup (bridge, address plan, base images). */
export async function setupLab(opts: LabOptions = {}): Promise<Lab> {
  const lab = new Lab(opts);
  await lab.setup();
  return lab;
}

/**
 * Removes every host and leftover of one lab instance (opts.config; the default lab without it):
 * safe after a crash and when nothing is there. Tests of their own hosts pass their own config.
 */
export async function teardownLab(opts: LabOptions & { purge?: boolean } = {}): Promise<TeardownReport> {
  return new Lab(opts).teardown({ purge: opts.purge });
}

function requireService(table: readonly ServiceDefinition[], name: ServiceName): ServiceDefinition {
  const d = table.find((x) => x.name === name);
  if (!d) throw new Error(`unknown lab service ${name} (known: ${table.map((x) => x.name).join(', ')})`);
  return d;
}

function omit<T>(r: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _, ...rest } = r;
  return rest;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function fileStamp(path: string): string {
  const s = statSync(path);
  return `${s.size}:${s.mtimeMs}`;
}

function isMountPoint(path: string): boolean {
  const mi = readFileSync('/proc/self/mountinfo', 'utf8');
  return mi.split('\n').some((l) => l.split(' ')[4] === path);
}

async function waitGone(ref: ProcRef, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isSameProcess(ref.pid, ref.startTime)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** SIGKILLs every process in the namespaces (and their descendants) until none is left. */
async function killNamespaces(nets: ReadonlySet<number>, mnts: ReadonlySet<number>): Promise<number[]> {
  if (nets.size === 0 && mnts.size === 0) return [];
  const exclude = selfAndAncestors();
  const killed = new Set<number>();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const pids = selectHostProcesses(listProcs(), nets, mnts, exclude);
    if (pids.length === 0) return [...killed];
    if (Date.now() > deadline) throw new Error(`processes survived SIGKILL: ${pids.join(', ')}`);
    for (const pid of pids) {
      if (signalProcess(pid, 'SIGKILL')) killed.add(pid);
    }
    await sleep(50);
  }
}

/** Removes (deepest first) cgroup directories whose top-level name matches, in every hierarchy. */
async function removeCgroups(match: (topName: string) => boolean): Promise<string[]> {
  const base = '/sys/fs/cgroup';
  const roots = new Set<string>();
  if (existsSync(join(base, 'cgroup.controllers'))) roots.add(base);
  else if (existsSync(base)) {
    for (const e of readdirSync(base)) {
      try {
        roots.add(realpathSync(join(base, e)));
      } catch {
        /* ignore */
      }
    }
  }
  const removed: string[] = [];
  for (const root of roots) {
    let entries: string[];
    try {
      entries = readdirSync(root);
    } catch {
      continue;
    }
    for (const top of entries.filter(match)) {
      const dirs = collectDirs(join(root, top)).sort((a, b) => b.length - a.length);
      for (const d of dirs) {
        for (let i = 0; ; i++) {
          try {
            await applyFsSteps([{ kind: 'rmdir', path: d }]);
            removed.push(d);
            break;
          } catch (e) {
            if (i >= 40) throw new Error(`cannot remove cgroup ${d}: ${(e as Error).message}`);
            await sleep(50);
          }
        }
      }
    }
  }
  return removed;
}

function collectDirs(dir: string): string[] {
  const out = [dir];
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...collectDirs(join(dir, e.name)));
  } catch {
    /* gone */
  }
  return out;
}

async function waitReady(h: HostNaming, def: ServiceDefinition, ref: ProcRef, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isSameProcess(ref.pid, ref.startTime)) {
      throw new Error(`lab host ${h.name}: ${def.name} exited: ${tail(join(h.logs, `${def.name}.log`))}`);
    }
    if (await probe(h, def)) return;
    if (Date.now() > deadline) throw new Error(`lab host ${h.name}: ${def.name} not ready after ${timeoutMs} ms`);
    await sleep(50);
  }
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-1500);
  } catch {
    return '(no log)';
  }
}

function probe(h: HostNaming, def: ServiceDefinition): Promise<boolean> {
  const r = def.ready;
  switch (r.kind) {
    case 'none':
      return Promise.resolve(true);
    case 'unix-http':
      return new Promise((resolve) => {
        const req = http.get({ socketPath: hostFsPath(h, r.socket), path: r.path, timeout: 2000 }, (res) => {
          res.resume();
          resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
        });
        req.on('error', () => resolve(false));
        req.on('timeout', () => {
          req.destroy();
          resolve(false);
        });
      });
    case 'unix-socket':
      return new Promise((resolve) => {
        const sock = net.connect({ path: hostFsPath(h, r.socket) });
        const done = (ok: boolean) => {
          sock.destroy();
          resolve(ok);
        };
        sock.setTimeout(2000, () => done(false));
        sock.on('error', () => done(false));
        sock.on('connect', () => done(true));
      });
    case 'tcp':
      return new Promise((resolve) => {
        const sock = net.connect({ host: h.ipv4, port: r.port });
        let buf = '';
        const done = (ok: boolean) => {
          sock.destroy();
          resolve(ok);
        };
        sock.setTimeout(2000, () => done(false));
        sock.on('error', () => done(false));
        sock.on('connect', () => {
          if (!r.banner) done(true);
        });
        sock.on('data', (d) => {
          buf += d.toString('latin1');
          if (r.banner && buf.startsWith(r.banner)) done(true);
        });
      });
  }
}
