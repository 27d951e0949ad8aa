// The instance's registry: Debian's docker-registry on the instance's gateway address (port
// REGISTRY_PORT), reachable from its hosts (which trust it over plain HTTP) and from this machine.
// It serves the served base images (their files laid into its storage from the shared cache, no
// push) and whatever tests or users push to it. Started by setup when it does not answer; stopped
// by teardown, which also finds it by its configuration path after a crash.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyFsSteps, signalProcess, startDaemon, writeFile, type FsStep } from '../exec.js';
import type { LabContext } from './context.js';
import type { BaseImageCache } from './image-cache.js';
import { BIN, registryAddress, registryDir, type LabConfig } from './layout.js';
import { registryConfigYaml, registryStorageSteps } from './oci.js';
import { listProcs, readProc } from './processes.js';

export function registryPaths(cfg: LabConfig): { config: string; storage: string; log: string } {
  const dir = registryDir(cfg);
  return { config: join(dir, 'config.yml'), storage: join(dir, 'storage'), log: join(dir, 'registry.log') };
}

/** Whether the registry at `address` answers its API. */
export async function registryAnswers(address: string): Promise<boolean> {
  return fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(2_000) }).then(
    (r) => r.ok,
    () => false,
  );
}

/**
 * Makes the instance's registry ready, once per process at a time: boots that start together
 * share one start; a later call checks it still answers (another process may have torn it down).
 */
export async function ensureRegistry(ctx: Pick<LabContext, 'config' | 'images' | 'log' | 'registryReady'>): Promise<void> {
  const pending = ctx.registryReady;
  if (pending && (await pending.then(() => true, () => false)) && (await registryAnswers(registryAddress(ctx.config)))) return;
  if (ctx.registryReady !== pending) return ensureRegistry(ctx);
  ctx.registryReady = startRegistry(ctx.config, ctx.images, ctx.log);
  return ctx.registryReady;
}

/** Lays the served base images into the storage and starts the registry unless it answers. */
async function startRegistry(cfg: LabConfig, images: BaseImageCache, log: (m: string) => void): Promise<void> {
  const paths = registryPaths(cfg);
  const address = registryAddress(cfg);
  const built = await images.ensureServed();
  await applyFsSteps(built.flatMap((image): FsStep[] => registryStorageSteps(paths.storage, (d) => images.blobFile(d), image)));
  if (await registryAnswers(address)) return;
  await writeFile({ path: paths.config, contents: registryConfigYaml(paths.storage, address) });
  const pid = startDaemon({ argv: [BIN.registry, 'serve', paths.config], logPath: paths.log });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (await registryAnswers(address)) break;
    // Another process of this instance may have started one first: ours then exits (address in use).
    if (!running(pid) && (await registryAnswers(address))) break;
    if (Date.now() > deadline) throw new Error(`the lab registry did not answer on ${address} (see ${paths.log})`);
    await sleep(100);
  }
  log(`registry serving on ${address}`);
}

/** Pids of the instance's registry processes: those started with its configuration file. */
export function registryPids(cfg: LabConfig): number[] {
  const config = registryPaths(cfg).config;
  return listProcs()
    .filter((p) => p.comm.startsWith('docker-regis') && p.state !== 'Z')
    .map((p) => p.pid)
    .filter((pid) => {
      try {
        return readCmdline(pid).includes(config);
      } catch {
        return false;
      }
    });
}

/** Stops the instance's registry; its storage stays (teardown --purge removes the folder). */
export async function stopRegistry(cfg: LabConfig): Promise<number[]> {
  const pids = registryPids(cfg);
  for (const pid of pids) signalProcess(pid, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (pids.some(running) && Date.now() < deadline) await sleep(50);
  for (const pid of pids) if (running(pid)) signalProcess(pid, 'SIGKILL');
  return pids;
}

function readCmdline(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
}

/** Running (a zombie has ended). */
function running(pid: number): boolean {
  const info = readProc(pid);
  return info !== null && info.state !== 'Z' && info.state !== 'X';
}
