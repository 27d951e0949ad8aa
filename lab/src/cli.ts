// `npm run lab`: the local cloud for demos and manual testing, as root.
//   npm run lab [-- start] [--do-port N] [--cf-port N] ...   serve until SIGINT/SIGTERM, then clean up
//   npm run lab -- teardown [--purge] [--purge-images]        clean up after a crash
//   --instance NAME (or SLIPWAY_LAB_INSTANCE): which lab ('default' without it; any name works)
// The instructions go to stdout; progress goes to stderr.
// Run as `node --import tsx` (see package.json): the tsx CLI's signal relay SIGKILLs a child that is
// slow to acknowledge a Ctrl-C, which would leave the lab's hosts behind.

import { Lab } from './hosts/index.js';
import { labBanner } from './lab-cli/banner.js';
import { parseLabCliArgs, USAGE, type LabCliOptions } from './lab-cli/options.js';
import { startLabSession, teardownHint, type LabSession } from './lab-cli/session.js';

const log = (m: string): void => {
  process.stderr.write(`[lab] ${m}\n`);
};

async function serve(opts: LabCliOptions): Promise<void> {
  let starting: Promise<LabSession> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log(`${signal} again: still cleaning up (if this hangs, ${teardownHint(opts.instance)})`);
      return;
    }
    log(`${signal}: stopping...`);
    stopping = (async () => {
      // A signal during start-up: wait for it to finish (or fail, which cleans up by itself).
      const s = await starting?.catch(() => undefined);
      if (!s) return;
      const { destroyed, teardown } = await s.stop();
      const others = teardown.hosts.length ? ` (and other lab hosts: ${teardown.hosts.join(', ')})` : '';
      log(`destroyed droplets: ${destroyed.length ? destroyed.join(', ') : 'none'}${others}; lab torn down`);
    })().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`cleanup failed: ${e instanceof Error ? e.message : String(e)}; run: ${teardownHint(opts.instance)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  starting = startLabSession(opts, log);
  const session = await starting;
  if (stopping) return;
  process.stdout.write(
    labBanner({
      digitalOceanUrl: session.digitalOcean.url,
      digitalOceanToken: session.digitalOcean.token,
      cloudflareUrl: session.cloudflare.url,
      cloudflareToken: session.cloudflare.token,
      zones: opts.zones,
      caFile: session.caFile,
      subnet: session.lab.config.subnet,
      registry: session.lab.registry,
      baseImages: session.lab.baseImages(),
      runUserData: opts.runUserData,
      teardownCommand: teardownHint(opts.instance),
    }),
  );
  // The HTTP servers keep the process alive until a signal arrives.
}

async function main(argv: readonly string[]): Promise<void> {
  const opts = parseLabCliArgs(argv, process.env);
  switch (opts.command) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    case 'teardown': {
      const report = await new Lab({ instance: opts.instance, log }).teardown({ purge: opts.purge, purgeImages: opts.purgeImages });
      log(`torn down: hosts ${report.hosts.join(', ') || 'none'}; ${report.netns.length} namespaces, ${report.links.length} links, ${report.iptablesRules} iptables rules, ${report.killedPids.length} processes`);
      return;
    }
    case 'start':
      await serve(opts);
      return;
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  log(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
