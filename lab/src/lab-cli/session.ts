// A running lab for `npm run lab`: the real hosts, the DigitalOcean simulator booting droplets as
// lab hosts, and the Cloudflare simulator with a lab CA kept on disk. stop() undoes all of it.

import { writeFile } from '../exec.js';
import { startCloudflareSimulator, type CloudflareSimulator } from '../cloudflare/index.js';
import { startDigitalOceanSimulator, type DigitalOceanSimulator } from '../digitalocean/index.js';
import { Lab, type TeardownReport } from '../hosts/index.js';
import { DEFAULT_LAB_INSTANCE } from '../hosts/instances.js';
import type { LabCliOptions } from './options.js';

export interface LabSession {
  lab: Lab;
  digitalOcean: DigitalOceanSimulator;
  cloudflare: CloudflareSimulator;
  caFile: string;
  /** Closes both simulators, destroys the droplets' hosts, tears the lab down. */
  stop(): Promise<{ destroyed: string[]; teardown: TeardownReport }>;
}

export async function startLabSession(opts: LabCliOptions, log: (m: string) => void): Promise<LabSession> {
  const lab = new Lab({ instance: opts.instance, log, userData: opts.runUserData ? 'run' : 'store' });
  lab.preflight();
  const leftovers = lab.list().map((h) => h.name);
  if (leftovers.length > 0) {
    log(`lab hosts left from an earlier run: ${leftovers.join(', ')} (${teardownHint(opts.instance)} removes them)`);
  }
  // The ports first: a second `npm run lab` must fail before it touches the running one's lab.
  const started: { digitalOcean?: DigitalOceanSimulator; cloudflare?: CloudflareSimulator } = {};
  let setUp = false;
  try {
    started.digitalOcean = await listening('DigitalOcean', opts.digitalOceanPort, () =>
      startDigitalOceanSimulator({
        port: opts.digitalOceanPort,
        tokens: [opts.digitalOceanToken],
        provider: lab,
        actionDelayMs: opts.actionDelayMs,
      }),
    );
    const cloudflare = await listening('Cloudflare', opts.cloudflarePort, () =>
      startCloudflareSimulator({
        port: opts.cloudflarePort,
        tokens: [opts.cloudflareToken],
        zones: opts.zones,
        stateDir: opts.cloudflareStateDir,
      }),
    );
    started.cloudflare = cloudflare;
    await writeFile({ path: opts.caFile, contents: cloudflare.caCertPem, mode: 0o644 });
    log('setting up the lab (bridge, NAT, base images, registry)...');
    setUp = true;
    await lab.setup();
  } catch (e) {
    await started.cloudflare?.close().catch(() => {});
    await started.digitalOcean?.close().catch(() => {});
    if (setUp) await lab.teardown().catch((t: unknown) => log(`teardown after a failed start: ${String(t)}`));
    throw e;
  }
  const { digitalOcean: doSim, cloudflare: cfSim } = started as Required<typeof started>;
  return {
    lab,
    digitalOcean: doSim,
    cloudflare: cfSim,
    caFile: opts.caFile,
    stop: async () => {
      // Closing the DigitalOcean simulator waits for actions in flight (a boot finishes first).
      await Promise.all([doSim.close(), cfSim.close()]);
      const names = new Set([...doSim.state.droplets.values()].map((d) => d.name));
      const destroyed: string[] = [];
      for (const host of lab.list()) {
        if (!names.has(host.name)) continue;
        await lab.destroy(host.name);
        destroyed.push(host.name);
      }
      return { destroyed, teardown: await lab.teardown() };
    },
  };
}

/** Starts a simulator; a port in use becomes an error that says what to do. */
async function listening<T>(what: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    throw new Error(`the ${what} simulator cannot listen on 127.0.0.1:${port}: the port is in use (choose another with a flag or variable, see --help)`);
  }
}

/** The command that tears this instance down (from the repository's root or lab/ alike). */
export function teardownHint(instance: string): string {
  return instance === DEFAULT_LAB_INSTANCE ? 'npm run lab -- teardown' : `npm run lab -- teardown --instance ${instance}`;
}
