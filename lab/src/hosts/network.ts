// The instance's network on this machine: a bridge holding the gateway address that every host's
// veth joins, and the instance's own iptables chain. Hosts talk to each other and to this machine
// through the bridge, and out through the machine's uplink by NAT (what the machine can reach, the
// hosts can: here the npm registry and Debian's mirrors); traffic between the bridge and anything
// else (another instance's bridge) is dropped. Forwarding is turned on only for the bridge and the
// uplink, and left on (like Docker does): other instances may be using the uplink.

import { existsSync, readFileSync } from 'node:fs';
import { applyFsSteps, run, runAll, type FsStep } from '../exec.js';
import * as C from './commands.js';
import type { LabContext } from './context.js';
import { MACHINE_MOUNT_POINTS, hostsDir, labMatchers, snapshotsDir, type HostNaming, type LabConfig } from './layout.js';
import { hostResolvConf } from './resolv-conf.js';

/** Idempotent and cheap enough to run before every boot (another process may have torn the lab down). */
export async function ensureNetwork(ctx: LabContext): Promise<{ uplink: string | null }> {
  const cfg = ctx.config;
  if ((await run(C.linkShow(cfg.bridge))).exitCode !== 0) {
    await run(C.bridgeCreate(cfg)).catch(async (error: unknown) => {
      // Another process may have created it between the check and the create: that is fine.
      if ((await run(C.linkShow(cfg.bridge))).exitCode !== 0) throw error;
    });
  }
  await run(C.bridgeAddress(cfg));
  await run(C.linkUp(cfg.bridge));
  const uplink = C.parseUplink((await run(C.defaultRouteShow())).stdout);
  await applyFsSteps(
    [cfg.bridge, ...(uplink ? [uplink] : [])].map((i): FsStep => ({ kind: 'sysctl', path: C.forwardingSysctl(i), value: '1' })),
  );
  // The chain is replaced whole, at once; the jumps to it and the NAT rule are added once.
  await run(C.iptablesRestoreNoflush(C.labChainRestoreInput(cfg, uplink)));
  for (const jump of C.chainJumpArgs(cfg)) await ensureRule('filter', jump);
  if (uplink) await ensureRule('nat', C.natRuleArgs(cfg, uplink));
  await applyFsSteps([
    { kind: 'mkdir', path: hostsDir(cfg) },
    { kind: 'mkdir', path: snapshotsDir(cfg) },
    // Bind mounts need their mount points.
    ...MACHINE_MOUNT_POINTS.map((p): FsStep => ({ kind: 'mkdir', path: p, mode: 0o710 })),
  ]);
  return { uplink };
}

async function ensureRule(table: 'filter' | 'nat', args: string[]): Promise<void> {
  if ((await run(C.ruleCheck(table, args))).exitCode !== 0) await run(C.ruleInsert(table, args));
}

/** A fresh network namespace for the host, wired to the bridge at its address. */
export async function wireHost(cfg: LabConfig, h: HostNaming): Promise<void> {
  await runAll([C.netnsAdd(h), ...C.hostNetworkSetup(cfg, h)]);
}

/** The resolv.conf hosts get: the machine's nameservers they can reach. */
export function machineResolvConf(): string {
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : null);
  return hostResolvConf(read('/etc/resolv.conf') ?? '', read('/run/systemd/resolve/resolv.conf'));
}

/**
 * Deletes a link; one that vanishes meanwhile (a veth goes with its namespace, asynchronously:
 * `ip` then fails with "No such device") counts as deleted.
 */
export async function deleteLink(name: string): Promise<void> {
  await run(C.linkDelete(name)).catch(async (error: unknown) => {
    if ((await run(C.linkShow(name))).exitCode === 0) throw error;
  });
}

/** This instance's network namespaces, by name (a crashed host's too). */
export async function instanceNetns(cfg: LabConfig): Promise<string[]> {
  const out = (await run(C.netnsList())).stdout.trim();
  const list = out ? (JSON.parse(out) as { name: string }[]) : [];
  const ours = labMatchers(cfg);
  return list.map((n) => n.name).filter((n) => ours.netns(n));
}

/** Removes the instance's links, rules and chain; returns the links removed and the rule count. */
export async function removeNetwork(cfg: LabConfig): Promise<{ links: string[]; rules: number }> {
  const ours = labMatchers(cfg);
  const links: string[] = [];
  for (const l of JSON.parse((await run(C.linkList())).stdout || '[]') as { ifname: string }[]) {
    if (!ours.link(l.ifname)) continue;
    await deleteLink(l.ifname);
    links.push(l.ifname);
  }
  const deletes = C.labRuleDeletes((await run(C.iptablesSave())).stdout, cfg);
  await runAll(deletes);
  await runAll(C.chainDelete(cfg));
  return { links, rules: deletes.length };
}
