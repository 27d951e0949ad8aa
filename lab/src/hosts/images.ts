// Base Docker images of the lab, made locally (no registry is reachable): root filesystem
// tarballs built once into <root>/images and imported into every host's engine at boot. Pure.

import { basename, join } from 'node:path';
import type { Command, FsStep } from '../exec.js';
import { BIN } from './layout.js';

export type BaseImageKey = 'busybox' | 'node';

export interface BaseImage {
  key: BaseImageKey;
  tag: string;
  /** Rootfs tarball, relative to the images folder. */
  tarball: string;
  /** `docker import --change` instructions. */
  changes: string[];
}

const PATH_ENV = 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const BASE_IMAGES: readonly BaseImage[] = [
  {
    key: 'busybox',
    tag: 'slipway-lab/busybox:latest',
    tarball: 'busybox-rootfs.tar',
    changes: [PATH_ENV, 'CMD ["sh"]'],
  },
  {
    key: 'node',
    tag: 'slipway-lab/node:20',
    tarball: 'node20-rootfs.tar',
    changes: [PATH_ENV, 'ENV NODE_ENV=production', 'WORKDIR /app', 'CMD ["node"]'],
  },
];

/** Bump when the rootfs recipe changes, so cached tarballs are rebuilt. */
export const IMAGE_RECIPE_VERSION = 1;

export function busyboxListCommand(): Command {
  return { argv: [BIN.busybox, '--list'], timeoutMs: 10_000 };
}

export function lddCommand(binary: string): Command {
  return { argv: [BIN.ldd, binary], timeoutMs: 10_000 };
}

/** Applet names from `busybox --list`. */
export function parseBusyboxList(out: string): string[] {
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[A-Za-z0-9_.[-]+$/.test(l) && l !== 'busybox');
}

/** Library paths from `ldd` output (the vDSO has no file). */
export function parseLdd(out: string): string[] {
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const arrow = /=>\s+(\/\S+)\s+\(/.exec(line);
    const direct = /^\s*(\/\S+)\s+\(/.exec(line);
    const p = arrow?.[1] ?? direct?.[1];
    if (p && !libs.includes(p)) libs.push(p);
  }
  return libs;
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

/** A minimal busybox root filesystem in <staging>. */
export function busyboxRootfsSteps(staging: string, applets: readonly string[]): FsStep[] {
  return [
    { kind: 'remove', path: staging },
    ...['bin', 'etc', 'root', 'proc', 'sys', 'dev', 'var', 'usr/bin', 'usr/local/bin'].map(
      (d): FsStep => ({ kind: 'mkdir', path: join(staging, d), mode: d === 'root' ? 0o700 : 0o755 }),
    ),
    { kind: 'mkdir', path: join(staging, 'tmp'), mode: 0o1777 },
    { kind: 'copy', from: BIN.busybox, to: join(staging, 'bin', 'busybox'), mode: 0o755, dereference: true },
    ...applets.map((a): FsStep => ({ kind: 'symlink', target: 'busybox', path: join(staging, 'bin', a) })),
    { kind: 'write', file: { path: join(staging, 'etc', 'passwd'), contents: PASSWD } },
    { kind: 'write', file: { path: join(staging, 'etc', 'group'), contents: GROUP } },
  ];
}

/** The busybox rootfs plus the machine's node binary and the libraries it links. */
export function nodeRootfsSteps(staging: string, applets: readonly string[], nodeBinary: string, libs: readonly string[]): FsStep[] {
  return [
    ...busyboxRootfsSteps(staging, applets),
    { kind: 'mkdir', path: join(staging, 'app') },
    { kind: 'copy', from: nodeBinary, to: join(staging, 'usr', 'local', 'bin', basename(nodeBinary)), mode: 0o755, dereference: true },
    ...libs.map((l): FsStep => ({ kind: 'copy', from: l, to: join(staging, l), dereference: true })),
  ];
}

export function rootfsTarCommand(staging: string, out: string): Command {
  return {
    argv: [BIN.tar, '--create', '--numeric-owner', '--owner=0', '--group=0', '--file', out, '--directory', staging, '.'],
    timeoutMs: 120_000,
  };
}
