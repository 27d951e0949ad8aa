// What the long commands need from this machine (Docker Engine, nginx, OpenSSH, PostgreSQL,
// Chromium, ...): checked before they start, so a missing part stops them at once with one
// message naming the one command that installs everything. `scripts/preflight.ts` is the CLI
// (`npm test`, `npm run lab` and `npm run cluster` call it first); other scripts import this.

import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { BIN, BIN_PACKAGES } from './hosts/layout.js';

/** The one command that installs and starts everything below (Debian 12, as root). */
export const INSTALL_COMMAND = 'sudo bash scripts/install-deps.sh';

export interface Part {
  /** What a person calls it, e.g. 'Docker Engine (/usr/sbin/dockerd)'. */
  name: string;
  /** Resolves true when the part is there (and, for a service, answering). */
  present(): Promise<boolean> | boolean;
}

const file = (name: string, path: string): Part => ({ name: `${name} (${path})`, present: () => existsSync(path) });

const root: Part = { name: "root (network namespaces for the lab's hosts)", present: () => process.getuid?.() === 0 };

/** Every program the lab's hosts run, from the lab's own list, named with its Debian package. */
const labPrograms: Part[] = (Object.keys(BIN) as (keyof typeof BIN)[]).map((key) => file(BIN_PACKAGES[key], BIN[key]));

const postgresUrl = new URL(process.env.SLIPWAY_TEST_POSTGRES_URL ?? 'postgresql://slipway:slipway@127.0.0.1:5432/slipway_test');
const postgres: Part = {
  name: `PostgreSQL answering on ${postgresUrl.hostname}:${postgresUrl.port || 5432}`,
  present: () => answers(postgresUrl.hostname, Number(postgresUrl.port || 5432)),
};

const chromium = file('Chromium', process.env.SLIPWAY_E2E_CHROMIUM ?? '/usr/bin/chromium');
const redis = file('redis-server', '/usr/bin/redis-server');
const nginx = file('nginx', '/usr/sbin/nginx');
// `npm run cluster` runs a PostgreSQL of its own: any major version Debian installed.
const postgresServer: Part = {
  name: 'PostgreSQL (/usr/lib/postgresql/<version>/bin/initdb)',
  present: () => existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)),
};

/** What each command needs. */
export const PURPOSES = {
  test: [
    root,
    ...labPrograms,
    file('docker-registry', '/usr/bin/docker-registry'),
    file('tini', '/usr/bin/tini'),
    file('cloud-init', '/usr/bin/cloud-init'),
    file('git', '/usr/bin/git'),
    file('zip', '/usr/bin/zip'),
    file('script (bsdutils)', '/usr/bin/script'),
    chromium,
    postgres,
    redis,
  ],
  lab: [root, ...labPrograms],
  cluster: [postgresServer, redis, nginx],
} satisfies Record<string, Part[]>;

export type Purpose = keyof typeof PURPOSES;

/** The names of the parts that are missing, in the order given. */
export async function missingParts(parts: Part[]): Promise<string[]> {
  const present = await Promise.all(parts.map((part) => part.present()));
  return parts.filter((_, i) => !present[i]).map((part) => part.name);
}

/** One message naming what is missing and the command that installs it, or null when all is there. */
export function preflightMessage(command: string, missing: string[]): string | null {
  if (missing.length === 0) return null;
  return [
    `${command} cannot run on this machine yet; it needs:`,
    ...missing.map((name) => `  - ${name}`),
    `Install and start them (Debian 12) with:  ${INSTALL_COMMAND}`,
    `then run ${command} again.`,
  ].join('\n');
}

/** Throws the message above when something `purpose` needs is missing. */
export async function preflight(purpose: Purpose): Promise<void> {
  const message = preflightMessage(`npm ${purpose === 'test' ? 'test' : `run ${purpose}`}`, await missingParts(PURPOSES[purpose]));
  if (message) throw new Error(message);
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

