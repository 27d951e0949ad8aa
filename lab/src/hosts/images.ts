// Base Docker images of the lab, made locally (no public registry is reachable): two kinds.
// - Preloaded: small root filesystems assembled from the machine's own programs (busybox; node
//   with npm and the libraries ldd lists), built once into the shared cache and `docker import`ed
//   into every host's engine at boot, so `FROM slipway-lab/node:20` needs nothing else.
// - Served: Debian packages (`apt-get download`, unpacked with `dpkg-deb -x`) made into images
//   (one gzipped layer, a config, a manifest) that every instance's registry serves; a host pulls
//   one only when a build asks for it, so large toolchains cost nothing at boot.
// Pure: recipes, file steps and commands; image-cache.ts runs them.

import { basename, join } from 'node:path';
import type { Command, FsStep } from '../exec.js';
import { BIN, MACHINE_CA_BUNDLE, NPM_DIR, registryAddress, type LabConfig } from './layout.js';

export type PreloadedImageKey = 'busybox' | 'node';

export interface PreloadedImage {
  key: PreloadedImageKey;
  tag: string;
  /** Rootfs tarball, relative to the images folder. */
  tarball: string;
  /** `docker import --change` instructions. */
  changes: string[];
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const PATH_ENV = `ENV PATH=${PATH}`;

export const PRELOADED_IMAGES: readonly PreloadedImage[] = [
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
    // Node trusts its own CA list; the machine's bundle (copied in) is added to it.
    changes: [PATH_ENV, 'ENV NODE_ENV=production', `ENV NODE_EXTRA_CA_CERTS=${MACHINE_CA_BUNDLE}`, 'ENV NPM_CONFIG_UPDATE_NOTIFIER=false', 'WORKDIR /app', 'CMD ["node"]'],
  },
];

export type ServedImageKey = 'python' | 'golang' | 'static';

/** The parts of a Docker image config a recipe sets. */
export interface ImageSettings {
  Env: string[];
  Cmd?: string[];
  WorkingDir?: string;
}

export interface ServedImage {
  key: ServedImageKey;
  /** Repository and tag in the instance's registry. */
  repository: string;
  tag: string;
  /** Debian packages to unpack; with everything they depend on when `withDependencies`. */
  packages: string[];
  withDependencies: boolean;
  /** Paths (relative to the root) kept from the unpacked packages; all of them when absent. */
  keep?: string[];
  /** Paths removed after unpacking (documentation, the pip guard official images lack). */
  remove: string[];
  settings: ImageSettings;
}

const DOCS = ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/lintian'];

export const SERVED_IMAGES: readonly ServedImage[] = [
  {
    key: 'python',
    repository: 'slipway-lab/python',
    tag: '3.11',
    // Debian 12's Python, with pip and `python` (official images have both).
    packages: ['python3', 'python3-pip', 'python-is-python3', 'dash', 'coreutils', 'ca-certificates'],
    withDependencies: true,
    // PEP 668's guard: pip installs into the image's Python, as in python:3.x-slim.
    remove: [...DOCS, 'usr/lib/python3.11/EXTERNALLY-MANAGED'],
    settings: { Env: [`PATH=${PATH}`, 'LANG=C.UTF-8', 'PIP_DISABLE_PIP_VERSION_CHECK=1'], Cmd: ['python3'] },
  },
  {
    key: 'golang',
    repository: 'slipway-lab/golang',
    tag: '1.19',
    packages: ['golang-go', 'dash', 'coreutils', 'ca-certificates'],
    withDependencies: true,
    remove: DOCS,
    settings: { Env: [`PATH=/go/bin:${PATH}`, 'GOPATH=/go', 'LANG=C.UTF-8'], Cmd: ['sh'], WorkingDir: '/go' },
  },
  {
    // What gcr.io/distroless/static holds: CA certificates, time zones, /etc/services, users.
    key: 'static',
    repository: 'slipway-lab/static',
    tag: 'latest',
    packages: ['ca-certificates', 'tzdata', 'netbase'],
    withDependencies: false,
    keep: ['usr/share/zoneinfo', 'usr/share/ca-certificates', 'etc/services', 'etc/protocols'],
    remove: [],
    settings: { Env: [`PATH=${PATH}`, 'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt'] },
  },
];

/** Bump when a recipe changes, so cached images are rebuilt. */
export const IMAGE_RECIPE_VERSION = 3;

/** The images generated Dockerfiles use in one lab instance (server config `SLIPWAY_BASE_IMAGES`). */
export interface LabBaseImages {
  node: string;
  python: string;
  go: string;
  goRuntime: string;
  static: string;
}

export function servedImageReference(cfg: LabConfig, key: ServedImageKey): string {
  const image = SERVED_IMAGES.find((i) => i.key === key)!;
  return `${registryAddress(cfg)}/${image.repository}:${image.tag}`;
}

export function labBaseImages(cfg: LabConfig): LabBaseImages {
  return {
    node: 'slipway-lab/node:20',
    python: servedImageReference(cfg, 'python'),
    go: servedImageReference(cfg, 'golang'),
    goRuntime: servedImageReference(cfg, 'static'),
    static: 'slipway-lab/busybox:latest',
  };
}

// ---------------------------------------------------------------------------------------------
// Preloaded images: from the machine's programs.

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
/** distroless's users: root, nonroot (65532) and nobody. */
const SERVED_PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n';
const SERVED_GROUP = 'root:x:0:\nnonroot:x:65532:\nnogroup:x:65534:\n';

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

/**
 * The busybox rootfs plus the machine's node binary, the libraries it links, its npm (where the
 * official image has them: /usr/local/bin, /usr/local/lib/node_modules/npm) and its CA bundle;
 * npm's scripts start with `#!/usr/bin/env node`, so env is there too.
 */
export function nodeRootfsSteps(staging: string, applets: readonly string[], nodeBinary: string, libs: readonly string[], npmDir = NPM_DIR): FsStep[] {
  return [
    ...busyboxRootfsSteps(staging, applets),
    { kind: 'copy', from: MACHINE_CA_BUNDLE, to: join(staging, MACHINE_CA_BUNDLE), dereference: true },
    { kind: 'mkdir', path: join(staging, 'app') },
    { kind: 'copy', from: nodeBinary, to: join(staging, 'usr', 'local', 'bin', basename(nodeBinary)), mode: 0o755, dereference: true },
    ...libs.map((l): FsStep => ({ kind: 'copy', from: l, to: join(staging, l), dereference: true })),
    { kind: 'copy', from: npmDir, to: join(staging, 'usr', 'local', 'lib', 'node_modules', 'npm') },
    { kind: 'symlink', target: '../lib/node_modules/npm/bin/npm-cli.js', path: join(staging, 'usr', 'local', 'bin', 'npm') },
    { kind: 'symlink', target: '../lib/node_modules/npm/bin/npx-cli.js', path: join(staging, 'usr', 'local', 'bin', 'npx') },
    { kind: 'symlink', target: '/bin/busybox', path: join(staging, 'usr', 'bin', 'env') },
  ];
}

export function rootfsTarCommand(staging: string, out: string): Command {
  return {
    argv: [BIN.tar, '--create', '--numeric-owner', '--owner=0', '--group=0', '--file', out, '--directory', staging, '.'],
    timeoutMs: 300_000,
  };
}

// ---------------------------------------------------------------------------------------------
// Served images: from Debian's packages.

/**
 * What apt would install for the packages on an empty system (`pkg=version`, in order), from
 * `apt-get --simulate` with an empty dpkg status: the dependency closure of a root filesystem.
 */
export function aptClosureCommand(packages: readonly string[], emptyStatusFile: string): Command {
  return {
    argv: [
      BIN.aptGet, '--simulate', '--no-install-recommends', '-o', `Dir::State::status=${emptyStatusFile}`, '-o', 'Debug::NoLocking=1',
      'install', ...packages,
    ],
    timeoutMs: 60_000,
  };
}

/** `Inst name (version ...)` lines of apt's simulation, as `name=version`. */
export function parseAptSimulation(out: string): string[] {
  const out2: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^Inst (\S+) (?:\[[^\]]*\] )?\((\S+)/.exec(line);
    if (m) out2.push(`${m[1]}=${m[2]}`);
  }
  return out2;
}

/** Downloads the exact package versions into `dir` (apt's own verified download). */
export function aptDownloadCommand(dir: string, packages: readonly string[]): Command {
  return { argv: [BIN.aptGet, 'download', '-q', '-o', 'Debug::NoLocking=1', ...packages], cwd: dir, timeoutMs: 600_000 };
}

export function debExtractCommand(deb: string, into: string): Command {
  return { argv: [BIN.dpkgDeb, '--extract', deb, into], timeoutMs: 300_000 };
}

/** Builds the dynamic linker's cache inside the root filesystem, as ldconfig would in the image. */
export function ldconfigCommand(staging: string): Command {
  return { argv: [BIN.ldconfig, '-r', staging], timeoutMs: 60_000 };
}

/**
 * The CA bundle update-ca-certificates would make from a ca-certificates package: its
 * certificates, in name order, concatenated.
 */
export function caBundle(certificates: readonly { name: string; pem: string }[]): string {
  return [...certificates].sort((a, b) => (a.name < b.name ? -1 : 1)).map((c) => c.pem.trimEnd() + '\n').join('');
}

/**
 * What every served image gets besides its packages: users, /tmp, /root, and a CA bundle (the
 * machine's, which trusts what it trusts; else the packaged one, see caBundle).
 */
export function servedRootfsSteps(staging: string, bundle: string): FsStep[] {
  return [
    { kind: 'mkdir', path: join(staging, 'tmp'), mode: 0o1777 },
    { kind: 'mkdir', path: join(staging, 'root'), mode: 0o700 },
    { kind: 'mkdir', path: join(staging, 'home', 'nonroot'), mode: 0o755 },
    { kind: 'write', file: { path: join(staging, 'etc', 'passwd'), contents: SERVED_PASSWD } },
    { kind: 'write', file: { path: join(staging, 'etc', 'group'), contents: SERVED_GROUP } },
    ...(bundle ? [{ kind: 'write', file: { path: join(staging, 'etc', 'ssl', 'certs', 'ca-certificates.crt'), contents: bundle } } as FsStep] : []),
  ];
}
