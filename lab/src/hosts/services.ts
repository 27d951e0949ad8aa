// The service table of a lab host: what runs inside it, how it starts and how to tell it is up.
// docker, nginx and sshd are built in; the agent (a command line under /opt/slipway) is a
// definition like the others, registered by whoever knows its command line. Pure.

import type { DaemonCommand } from '../exec.js';
import { inHost } from './commands.js';
import { BIN, type HostNaming } from './layout.js';

export type BuiltinServiceName = 'containerd' | 'docker' | 'nginx' | 'sshd' | 'agent';
export type ServiceName = BuiltinServiceName | (string & {});

export type Readiness =
  /** An HTTP GET over a unix socket (a production path inside the host) answers 2xx. */
  | { kind: 'unix-http'; socket: string; path: string }
  /** A unix socket (a production path inside the host) accepts connections. */
  | { kind: 'unix-socket'; socket: string }
  /** A TCP port on the host's address accepts connections (and sends the banner, if given). */
  | { kind: 'tcp'; port: number; banner?: string }
  /** Running is enough. */
  | { kind: 'none' };

export interface ServiceDefinition {
  name: ServiceName;
  /** Command line run inside the host (production paths), kept in the foreground. */
  argv: string[];
  ready: Readiness;
  /** 'always': started at boot; 'if-present': started at boot when argv[0] exists on the host. */
  autostart: 'always' | 'if-present';
  /** How long a stop waits after SIGTERM before SIGKILL. */
  stopTimeoutMs: number;
}

/** Where the agent will live on a server; it becomes a service as soon as the file exists. */
export const AGENT_SERVICE: ServiceDefinition = {
  name: 'agent',
  argv: ['/opt/slipway/bin/slipway-agent'],
  ready: { kind: 'none' },
  autostart: 'if-present',
  stopTimeoutMs: 10_000,
};

export function builtinServices(h: HostNaming): ServiceDefinition[] {
  // Debian's layout: containerd is its own service and dockerd uses it (containerd.service and
  // docker.service), so a crashed dockerd leaves containerd and the container shims running.
  return [
    {
      name: 'containerd',
      argv: [BIN.containerd],
      ready: { kind: 'unix-socket', socket: '/run/containerd/containerd.sock' },
      autostart: 'always',
      stopTimeoutMs: 10_000,
    },
    {
      name: 'docker',
      argv: [BIN.dockerd, '--containerd=/run/containerd/containerd.sock', '--cgroup-parent', h.cgroupParent],
      ready: { kind: 'unix-http', socket: '/run/docker.sock', path: '/_ping' },
      autostart: 'always',
      stopTimeoutMs: 20_000,
    },
    {
      name: 'nginx',
      argv: [BIN.nginx, '-g', 'daemon off;'],
      ready: { kind: 'tcp', port: 80 },
      autostart: 'always',
      stopTimeoutMs: 10_000,
    },
    {
      name: 'sshd',
      argv: [BIN.sshd, '-D', '-e'],
      ready: { kind: 'tcp', port: 22, banner: 'SSH-2.0-' },
      autostart: 'always',
      stopTimeoutMs: 10_000,
    },
    AGENT_SERVICE,
  ];
}

/** Started one after another, each waited for, before the rest start together. */
export const BOOT_ORDER: readonly ServiceName[] = ['containerd', 'docker'];

/** Built-in services overridden or extended by registered definitions (matched by name). */
export function serviceTable(h: HostNaming, registered: readonly ServiceDefinition[] = []): ServiceDefinition[] {
  const table = builtinServices(h);
  for (const def of registered) {
    if (def.argv.length === 0) throw new Error(`service ${def.name}: empty command line`);
    const i = table.findIndex((d) => d.name === def.name);
    if (i >= 0) table[i] = def;
    else table.push(def);
  }
  return table;
}

export function serviceDaemon(h: HostNaming, holderPid: number, def: ServiceDefinition): DaemonCommand {
  return { argv: inHost(h, holderPid, def.argv), logPath: `${h.logs}/${def.name}.log` };
}
