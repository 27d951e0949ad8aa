// Removing one lab instance from the machine: every host (from its state, or from the names alone
// after a crash), its registry, links, rules and chain, cgroups and slots. Only this instance's
// names are touched, and nothing machine-wide that another instance may hold: the /run/netns mount
// `ip netns add` makes stays, as does forwarding on the uplink and the shared image cache.

import { existsSync, readdirSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { run } from '../exec.js';
import * as C from './commands.js';
import type { LabContext } from './context.js';
import { releaseInstanceClaim } from './instances.js';
import { hostsDir, labMatchers } from './layout.js';
import { destroyHost } from './lifecycle.js';
import { instanceNetns, removeNetwork } from './network.js';
import { namespaceInode } from './processes.js';
import { stopRegistry } from './registry.js';
import { killNamespaces, removeCgroups } from './sweep.js';

export interface TeardownReport {
  hosts: string[];
  killedPids: number[];
  netns: string[];
  links: string[];
  iptablesRules: number;
  cgroups: string[];
}

export interface TeardownOptions {
  /** Also remove the instance's folder (snapshots, registry storage, lab CA) and give its subnet back. */
  purge?: boolean;
  /** Also remove the base image cache every instance shares (they rebuild it on their next setup). */
  purgeImages?: boolean;
}

export async function teardownInstance(ctx: LabContext, opts: TeardownOptions = {}): Promise<TeardownReport> {
  const cfg = ctx.config;
  const report: TeardownReport = { hosts: [], killedPids: [], netns: [], links: [], iptablesRules: 0, cgroups: [] };
  // 1. Hosts with state files, then host folders without a readable one.
  for (const st of ctx.state.all()) {
    report.hosts.push(st.name);
    report.killedPids.push(...(await destroyHost(ctx, st.name, st)).killed);
  }
  if (existsSync(hostsDir(cfg))) {
    for (const name of readdirSync(hostsDir(cfg))) await fsp.rm(join(hostsDir(cfg), name), { recursive: true, force: true });
  }
  // 2. Namespaces left without state.
  for (const ns of await instanceNetns(cfg)) {
    const inode = namespaceInode(`/var/run/netns/${ns}`);
    if (inode !== null) report.killedPids.push(...(await killNamespaces(new Set([inode]), new Set())));
    await run(C.netnsDelete(ns));
    report.netns.push(ns);
  }
  // 3. The registry, then links, rules and the chain.
  report.killedPids.push(...(await stopRegistry(cfg)));
  const network = await removeNetwork(cfg);
  report.links.push(...network.links);
  report.iptablesRules = network.rules;
  // 4. cgroups of containers.
  const ours = labMatchers(cfg);
  report.cgroups.push(...(await removeCgroups((n) => ours.cgroup(n))));
  await fsp.rm(join(cfg.root, 'slots'), { recursive: true, force: true });
  if (opts.purge) {
    await fsp.rm(cfg.root, { recursive: true, force: true });
    releaseInstanceClaim(cfg);
  }
  if (opts.purgeImages) {
    await fsp.rm(ctx.images.dir, { recursive: true, force: true });
    ctx.images.forget();
  }
  return report;
}
