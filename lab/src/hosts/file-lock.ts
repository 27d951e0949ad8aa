// A lock between processes: a directory made with an exclusive mkdir, holding the owner's pid.
// A lock whose owner died is taken over. Used where two processes (or instances) would otherwise
// do the same slow work at once, e.g. building a base image.

import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withDirLock<T>(dir: string, work: () => Promise<T>, timeoutMs = 30 * 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(dir);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number(await readFile(join(dir, 'pid'), 'utf8').catch(() => ''));
    const age = Date.now() - ((await stat(dir).catch(() => null))?.mtimeMs ?? Date.now());
    // A lock without a pid is being taken right now (or its taker died at once); one whose owner died is free.
    if ((owner > 0 && !alive(owner)) || (!(owner > 0) && age > 10_000)) {
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`still locked after ${timeoutMs} ms: ${dir} (pid ${owner || '?'})`);
    await sleep(200);
  }
  try {
    await writeFile(join(dir, 'pid'), String(process.pid));
    return await work();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
