// The machine preflight of `npm test`, `npm run lab` and `npm run cluster`: the message it stops
// with, what it finds missing, and the CLI run as a subprocess.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTALL_COMMAND, missingParts, preflightMessage, PURPOSES, type Part } from '../src/machine-preflight.js';

const repoRoot = join(import.meta.dirname, '..', '..');

describe('machine preflight', () => {
  it('names every missing part and the one install command, in one message', () => {
    expect(preflightMessage('npm test', ['Chromium (/usr/bin/chromium)', 'PostgreSQL answering on 127.0.0.1:5432'])).toBe(
      [
        'npm test cannot run on this machine yet; it needs:',
        '  - Chromium (/usr/bin/chromium)',
        '  - PostgreSQL answering on 127.0.0.1:5432',
        'Install and start them (Debian 12) with:  sudo bash scripts/install-deps.sh',
        'then run npm test again.',
      ].join('\n'),
    );
    expect(preflightMessage('npm run lab', [])).toBeNull();
  });

  it('keeps the order of the parts and reports only the missing ones', async () => {
    const parts: Part[] = [
      { name: 'a', present: () => true },
      { name: 'b', present: () => false },
      { name: 'c', present: async () => false },
    ];
    expect(await missingParts(parts)).toEqual(['b', 'c']);
  });

  it('asks for what the tests use: the lab programs, Chromium, PostgreSQL, Redis', () => {
    const names = PURPOSES.test.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'docker.io (/usr/sbin/dockerd)',
        'nginx (/usr/sbin/nginx)',
        'openssh-server (/usr/sbin/sshd)',
        expect.stringMatching(/^Chromium \(/),
        expect.stringMatching(/^PostgreSQL answering on /),
        'redis-server (/usr/bin/redis-server)',
      ]),
    );
    expect(PURPOSES.lab.map((p) => p.name)).not.toContainEqual(expect.stringMatching(/Chromium|PostgreSQL/));
    // The cluster runs its own PostgreSQL and Redis, behind nginx; it needs neither root nor the lab.
    expect(PURPOSES.cluster.map((p) => p.name)).toEqual([expect.stringMatching(/^PostgreSQL \(/), 'redis-server (/usr/bin/redis-server)', 'nginx (/usr/sbin/nginx)']);
  });

  it('as a CLI: exits 0 on this machine, and 1 with the message when PostgreSQL does not answer', async () => {
    const run = (env: Record<string, string>) =>
      spawnSync('npx', ['tsx', 'scripts/preflight.ts', 'test'], { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8' });
    const ok = run({});
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);

    const port = await closedPort();
    const refused = run({ SLIPWAY_TEST_POSTGRES_URL: `postgresql://x:y@127.0.0.1:${port}/z` });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`  - PostgreSQL answering on 127.0.0.1:${port}`);
    expect(refused.stderr).toContain(INSTALL_COMMAND);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
