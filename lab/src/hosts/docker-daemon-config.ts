// The host's /etc/docker/daemon.json, written before dockerd starts. Today it only says which
// registries dockerd may reach over plain HTTP (a test registry on the lab bridge). Pure.

import { join } from 'node:path';
import type { FsStep } from '../exec.js';

/**
 * daemon.json contents: the existing settings (a snapshot may carry some) with
 * `insecure-registries` set to the given `host:port`s or CIDRs. Null when there is nothing to add,
 * so a host without the option keeps Docker's defaults and no file appears.
 */
export function dockerDaemonJson(existing: string | null, insecureRegistries: readonly string[]): string | null {
  if (insecureRegistries.length === 0) return null;
  for (const r of insecureRegistries) {
    if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(r)) throw new Error(`not a registry address or CIDR: ${JSON.stringify(r)}`);
  }
  const base = existing ? (JSON.parse(existing) as Record<string, unknown>) : {};
  return `${JSON.stringify({ ...base, 'insecure-registries': [...insecureRegistries] }, null, 2)}\n`;
}

export function dockerDaemonConfigSteps(etcDocker: string, existing: string | null, insecureRegistries: readonly string[]): FsStep[] {
  const contents = dockerDaemonJson(existing, insecureRegistries);
  if (contents === null) return [];
  return [{ kind: 'write', file: { path: join(etcDocker, 'daemon.json'), contents, mode: 0o644 } }];
}
