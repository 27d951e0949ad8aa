// Faults a test injects into a host: a network partition, pulling the plug (and booting again),
// and stopping, killing or starting one of its services.

import { applyFsSteps, run, runAll, signalProcess } from '../exec.js';
import * as C from './commands.js';
import type { LabContext } from './context.js';
import { hostFsPath } from './layout.js';
import { requireService, startHolder, startServiceProcess, startServices } from './lifecycle.js';
import { isSameProcess, namespaceInode } from './processes.js';
import { serviceTable, type ServiceName } from './services.js';
import { killNamespaces, waitGone } from './sweep.js';

/** Network partition: every packet on the host's interface is dropped (connections time out). */
export async function cutOff(ctx: LabContext, name: string): Promise<void> {
  const h = ctx.state.naming(ctx.state.must(name));
  const present = await run(C.cutOffCheck(ctx.config, h));
  if (present.exitCode !== 0) await runAll(C.cutOffCommands(ctx.config, h));
  await ctx.state.update(name, (s) => ({ ...s, cutOff: true }));
}

export async function restore(ctx: LabContext, name: string): Promise<void> {
  const h = ctx.state.naming(ctx.state.must(name));
  await runAll(C.restoreCommands(ctx.config, h));
  await ctx.state.update(name, (s) => ({ ...s, cutOff: false }));
}

/**
 * Pulls the plug: every process of the host dies at once and its address drops packets (like a
 * powered-off droplet: connections time out). Files, Docker's data and images are kept.
 */
export async function powerOff(ctx: LabContext, name: string): Promise<void> {
  const st = ctx.state.must(name);
  const h = ctx.state.naming(st);
  if (st.poweredOff) return;
  await ctx.state.update(name, (s) => ({ ...s, poweredOff: true }));
  const nets = new Set<number>();
  const inode = namespaceInode(h.netnsPath);
  if (inode !== null) nets.add(inode);
  const mnts = new Set<number>();
  if (st.holder?.mntNs != null && isSameProcess(st.holder.pid, st.holder.startTime)) mnts.add(st.holder.mntNs);
  await killNamespaces(nets, mnts);
  const present = await run(C.cutOffCheck(ctx.config, h));
  if (present.exitCode !== 0) await runAll(C.cutOffCommands(ctx.config, h));
  await ctx.state.update(name, (s) => ({ ...s, holder: null, services: {} }));
}

/** Boots a powered-off host again from its files (/run starts empty, services autostart). */
export async function powerOn(ctx: LabContext, name: string): Promise<void> {
  const st = ctx.state.must(name);
  const h = ctx.state.naming(st);
  if (!st.poweredOff) return;
  await applyFsSteps([
    { kind: 'remove', path: hostFsPath(h, '/run') },
    { kind: 'mkdir', path: hostFsPath(h, '/run'), mode: 0o755 },
    { kind: 'mkdir', path: hostFsPath(h, '/run/sshd'), mode: 0o755 },
  ]);
  const holder = await startHolder(h);
  await ctx.state.update(name, (s) => ({ ...s, holder }));
  if (!st.cutOff) await runAll(C.restoreCommands(ctx.config, h));
  await startServices(ctx, h, holder.pid, async () => {});
  await ctx.state.update(name, (s) => ({ ...s, poweredOff: false }));
}

/** Graceful stop: SIGTERM, then SIGKILL after the service's stop timeout. */
export async function stopService(ctx: LabContext, name: string, service: ServiceName): Promise<void> {
  const st = ctx.state.must(name);
  const def = requireService(serviceTable(ctx.state.naming(st), ctx.services), service);
  const ref = st.services[service];
  if (ref && isSameProcess(ref.pid, ref.startTime)) {
    signalProcess(ref.pid, 'SIGTERM');
    if (!(await waitGone(ref, def.stopTimeoutMs))) {
      signalProcess(ref.pid, 'SIGKILL');
      await waitGone(ref, 5_000);
    }
  }
  await ctx.state.update(name, (s) => ({ ...s, services: omit(s.services, service) }));
}

/** Crash: SIGKILL, no cleanup (a killed dockerd leaves its containerd and containers running). */
export async function killService(ctx: LabContext, name: string, service: ServiceName): Promise<void> {
  const st = ctx.state.must(name);
  requireService(serviceTable(ctx.state.naming(st), ctx.services), service);
  const ref = st.services[service];
  if (ref && isSameProcess(ref.pid, ref.startTime)) {
    signalProcess(ref.pid, 'SIGKILL');
    await waitGone(ref, 5_000);
  }
  await ctx.state.update(name, (s) => ({ ...s, services: omit(s.services, service) }));
}

/** Starts a service (no-op when it runs) and waits until it is ready. */
export async function startService(ctx: LabContext, name: string, service: ServiceName): Promise<void> {
  const st = ctx.state.must(name);
  const h = ctx.state.naming(st);
  if (!st.holder || !isSameProcess(st.holder.pid, st.holder.startTime)) throw new Error(`lab host ${name} is not running`);
  const def = requireService(serviceTable(h, ctx.services), service);
  const ref = st.services[service];
  if (ref && isSameProcess(ref.pid, ref.startTime)) return;
  await startServiceProcess(ctx, h, st.holder.pid, def);
}

function omit<T>(r: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _, ...rest } = r;
  return rest;
}
