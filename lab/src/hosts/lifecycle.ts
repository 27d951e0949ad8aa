// A host's life: boot (claim a slot, lay out its files, wire its namespace, start the holder of
// its mount namespace and its services, load the preloaded images), destroy, and capture into a
// snapshot image. Power and service faults (faults.ts) reuse the holder and service starts.

import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyFsSteps, run, startDaemon, writeFile, type FsStep } from '../exec.js';
import type { BootSpec, BootedHost, HostImage } from '../host-provider.js';
import * as C from './commands.js';
import type { LabContext } from './context.js';
import { dockerDaemonConfigSteps } from './docker-daemon-config.js';
import type { HostState, ProcRef } from './host-state.js';
import { PRELOADED_IMAGES } from './images.js';
import {
  CAPTURED_PATHS,
  CAPTURE_EXCLUDES,
  HOST_BIND_FILES,
  HOST_BIND_PATHS,
  gatewayIp,
  hostFsPath,
  snapshotsDir,
  validateHostName,
  validateImageId,
  type HostNaming,
} from './layout.js';
import { deleteLink, ensureNetwork, machineResolvConf, wireHost } from './network.js';
import { nginxDefaultConfigSteps } from './nginx-default-config.js';
import { isSameProcess, namespaceInode, readProc } from './processes.js';
import { waitReady } from './readiness.js';
import { ensureRegistry } from './registry.js';
import { BOOT_ORDER, serviceDaemon, serviceTable, type ServiceDefinition, type ServiceName } from './services.js';
import { authorizedKeys, SSH_HOST_KEY_TYPES, sshdConfig } from './sshd-config.js';
import { killNamespaces, removeCgroups } from './sweep.js';

/** Where a host's user data script is put (inside the host) when it is run. */
const USER_DATA_PATH = '/run/slipway-lab/user-data';

export async function bootHost(ctx: LabContext, spec: BootSpec): Promise<BootedHost> {
  const t0 = Date.now();
  validateHostName(spec.name);
  const keys = authorizedKeys(spec.sshPublicKeys);
  await ensureNetwork(ctx);
  // The images are made (or found in the cache) while the host starts; both must be ready.
  const preloaded = ctx.images.ensurePreloaded();
  const registry = ensureRegistry(ctx);
  preloaded.catch(() => {});
  registry.catch(() => {});
  const h = await ctx.state.claim(spec.name, spec.image.id);
  try {
    // Leftovers of a crashed earlier host in the same slot.
    const staleInode = namespaceInode(h.netnsPath);
    if (staleInode !== null) await killNamespaces(new Set([staleInode]), new Set());
    await run(C.netnsDelete(h.netns));
    await deleteLink(h.veth);
    await removeCgroups((n) => `/${n}` === h.cgroupParent);

    await prepareFiles(ctx, h, spec, keys);
    await wireHost(ctx.config, h);
    await ctx.state.update(spec.name, (s) => ({ ...s, netnsInode: namespaceInode(h.netnsPath) }));

    const holder = await startHolder(h);
    await ctx.state.update(spec.name, (s) => ({ ...s, holder }));

    await startServices(ctx, h, holder.pid, async () => loadImages(h, await preloaded));
    await registry;
    if (ctx.userData === 'run' && spec.userData?.startsWith('#!')) {
      await writeFile({ path: hostFsPath(h, USER_DATA_PATH), contents: spec.userData, mode: 0o700 });
      startDaemon(C.userDataDaemon(h, holder.pid, USER_DATA_PATH));
    }
    const bootMs = Date.now() - t0;
    await ctx.state.update(spec.name, (s) => ({ ...s, bootMs }));
    ctx.log(`booted ${spec.name} at ${h.ipv4} in ${bootMs} ms`);
    return { name: spec.name, ipv4: h.ipv4 };
  } catch (e) {
    await destroyHost(ctx, spec.name, ctx.state.read(spec.name)).catch(() => {});
    throw e;
  }
}

/** Ends every process of the host and removes its namespace, link, cgroups, folder and slot. */
export async function destroyHost(ctx: LabContext, name: string, st: HostState | null): Promise<{ killed: number[] }> {
  const killed: number[] = [];
  if (st) {
    const h = ctx.state.naming(st);
    const nets = new Set<number>();
    const mnts = new Set<number>();
    const live = namespaceInode(h.netnsPath);
    if (live !== null) nets.add(live);
    if (st.netnsInode !== null) nets.add(st.netnsInode);
    if (st.holder?.mntNs != null && isSameProcess(st.holder.pid, st.holder.startTime)) mnts.add(st.holder.mntNs);
    killed.push(...(await killNamespaces(nets, mnts)));
    await run(C.netnsDelete(h.netns));
    await deleteLink(h.veth);
    await removeCgroups((n) => `/${n}` === h.cgroupParent);
  }
  await ctx.state.forget(name, st?.slot ?? null);
  return { killed };
}

/** Captures the host's persistent paths into a snapshot archive. */
export async function captureHost(ctx: LabContext, name: string, imageId: string): Promise<HostImage> {
  validateImageId(imageId);
  const h = ctx.state.naming(ctx.state.must(name));
  await fsp.mkdir(snapshotsDir(ctx.config), { recursive: true });
  const archivePath = join(snapshotsDir(ctx.config), `${imageId}.tar.gz`);
  const paths = CAPTURED_PATHS.filter((p) => existsSync(join(h.fs, p)));
  const tmp = `${archivePath}.${process.pid}.tmp`;
  // Exit 1: a file changed while being read (a live log); the archive is still complete.
  await run({ ...C.captureArchive(h.fs, tmp, paths, CAPTURE_EXCLUDES), okExitCodes: [0, 1] });
  await fsp.rename(tmp, archivePath);
  return { id: imageId, archivePath };
}

/** Starts the boot-order services one by one, then the rest (and `alongside`) together. */
export async function startServices(ctx: LabContext, h: HostNaming, holderPid: number, alongside: () => Promise<void>): Promise<void> {
  const table = serviceTable(h, ctx.services);
  for (const name of BOOT_ORDER) await startServiceProcess(ctx, h, holderPid, requireService(table, name));
  const others = table.filter((d) => !BOOT_ORDER.includes(d.name) && shouldAutostart(h, d));
  await Promise.all([alongside(), ...others.map((d) => startServiceProcess(ctx, h, holderPid, d))]);
}

export async function startServiceProcess(ctx: LabContext, h: HostNaming, holderPid: number, def: ServiceDefinition): Promise<void> {
  const pid = startDaemon(serviceDaemon(h, holderPid, def));
  const info = readProc(pid);
  if (!info) throw new Error(`lab host ${h.name}: ${def.name} exited at once (see ${h.logs}/${def.name}.log)`);
  const ref: ProcRef = { pid, startTime: info.startTime };
  await ctx.state.update(h.name, (s) => ({ ...s, services: { ...s.services, [def.name]: ref } }));
  await waitReady(h, def, ref);
}

/**
 * Starts the holder of the host's mount namespace: `sleep infinity` in new mount and UTS
 * namespaces inside the host's network namespace, with the host's folders bound over the
 * production paths.
 */
export async function startHolder(h: HostNaming): Promise<ProcRef & { mntNs: number | null }> {
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
  for (const m of C.nsfsMountPoints(mountinfo)) await run(C.holderUnmount(pid, m));
  // A file is bound only where the machine has a plain file (a symlink would lead into /run).
  const files = HOST_BIND_FILES.filter((p) => existsSync(hostFsPath(h, p)) && lstatSync(p, { throwIfNoEntry: false })?.isFile());
  const binds = [...HOST_BIND_PATHS, ...files].map((p) => ({ from: hostFsPath(h, p), to: p }));
  for (const bind of C.holderBindMounts(pid, binds)) await run(bind);
  await run(C.holderSetHostname(pid, h.name));
  return { pid, startTime: info.startTime, mntNs: info.mntNs };
}

export function requireService(table: readonly ServiceDefinition[], name: ServiceName): ServiceDefinition {
  const d = table.find((x) => x.name === name);
  if (!d) throw new Error(`unknown lab service ${name} (known: ${table.map((x) => x.name).join(', ')})`);
  return d;
}

function shouldAutostart(h: HostNaming, d: ServiceDefinition): boolean {
  if (d.autostart === 'always') return true;
  const bin = d.argv[0];
  return bin !== undefined && existsSync(hostFsPath(h, bin));
}

async function prepareFiles(ctx: LabContext, h: HostNaming, spec: BootSpec, keys: string): Promise<void> {
  const modes: Record<string, number> = { '/root': 0o700, '/tmp': 0o1777, '/var/lib/docker': 0o710 };
  await applyFsSteps([
    { kind: 'mkdir', path: h.logs },
    ...HOST_BIND_PATHS.map((p): FsStep => ({ kind: 'mkdir', path: hostFsPath(h, p), mode: modes[p] ?? 0o755 })),
  ]);
  if (spec.image.archivePath !== null) {
    if (!existsSync(spec.image.archivePath)) throw new Error(`image ${spec.image.id}: archive ${spec.image.archivePath} not found`);
    await run(C.restoreArchive(h.fs, spec.image.archivePath));
  }
  const etcNginx = hostFsPath(h, '/etc/nginx');
  if (!existsSync(join(etcNginx, 'nginx.conf'))) await applyFsSteps(nginxDefaultConfigSteps(etcNginx));
  const etcContainerd = hostFsPath(h, '/etc/containerd');
  if (!existsSync(join(etcContainerd, 'config.toml')) && existsSync('/etc/containerd/config.toml')) {
    await applyFsSteps([{ kind: 'copy', from: '/etc/containerd/config.toml', to: join(etcContainerd, 'config.toml') }]);
  }
  const etcDocker = hostFsPath(h, '/etc/docker');
  const daemonJson = join(etcDocker, 'daemon.json');
  // The instance's own registry (on its gateway) is always trusted.
  const registries = [`${gatewayIp(ctx.config)}/32`, ...ctx.insecureRegistries];
  await applyFsSteps(dockerDaemonConfigSteps(etcDocker, existsSync(daemonJson) ? readFileSync(daemonJson, 'utf8') : null, registries));
  const etcSsh = hostFsPath(h, '/etc/ssh');
  const steps: FsStep[] = [];
  if (!existsSync(join(etcSsh, 'sshd_config'))) {
    steps.push({ kind: 'write', file: { path: join(etcSsh, 'sshd_config'), contents: sshdConfig() } });
  }
  for (const f of readdirSync(etcSsh)) if (f.startsWith('ssh_host_')) steps.push({ kind: 'remove', path: join(etcSsh, f) });
  steps.push(
    { kind: 'write', file: { path: hostFsPath(h, '/etc/resolv.conf'), contents: machineResolvConf() } },
    { kind: 'mkdir', path: hostFsPath(h, '/root/.ssh'), mode: 0o700 },
    { kind: 'write', file: { path: hostFsPath(h, '/root/.ssh/authorized_keys'), contents: keys, mode: 0o600 } },
    { kind: 'mkdir', path: hostFsPath(h, '/run/sshd'), mode: 0o755 },
    { kind: 'mkdir', path: hostFsPath(h, '/opt/slipway'), mode: 0o755 },
  );
  if (spec.userData !== undefined) {
    steps.push({ kind: 'write', file: { path: join(h.dir, 'user-data.txt'), contents: spec.userData, mode: 0o600 } });
  }
  await applyFsSteps(steps);
  await Promise.all(SSH_HOST_KEY_TYPES.map((t) => run(C.sshHostKeygen(join(etcSsh, `ssh_host_${t}_key`), t, `root@${h.name}`))));
}

/** `docker import`s the preloaded images into the host's engine. */
async function loadImages(h: HostNaming, tarballs: Map<string, string>): Promise<void> {
  const socket = hostFsPath(h, '/run/docker.sock');
  await Promise.all(
    PRELOADED_IMAGES.map((img) => {
      const tarball = tarballs.get(img.tag);
      if (!tarball) throw new Error(`base image ${img.tag} was not built`);
      return run(C.dockerImport(socket, tarball, img.tag, img.changes));
    }),
  );
}
