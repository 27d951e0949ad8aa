// Waiting until a host's service is up, the way its definition says to tell (a unix socket that
// accepts, an HTTP answer over one, a TCP port with its banner).

import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcRef } from './host-state.js';
import { hostFsPath, type HostNaming } from './layout.js';
import { isSameProcess } from './processes.js';
import type { ServiceDefinition } from './services.js';

export async function waitReady(h: HostNaming, def: ServiceDefinition, ref: ProcRef, timeoutMs = 60_000): Promise<void> {
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
