// Lab hosts from the command line (run as root):
//   tsx src/hosts/cli.ts setup | images | teardown [--purge] [--purge-images] | list
//   tsx src/hosts/cli.ts boot NAME [PUBKEY_FILE...] | destroy NAME | capture NAME IMAGE_ID
//   tsx src/hosts/cli.ts cut-off NAME | restore NAME | power-off NAME | power-on NAME | reboot NAME
//   tsx src/hosts/cli.ts stop|kill|start NAME docker|nginx|sshd|agent
// Every command acts on one lab instance: --instance NAME (or SLIPWAY_LAB_INSTANCE), default the
// default lab; any name works (the lab's own tests use `--instance test`).
import { readFileSync } from 'node:fs';
import { Lab } from './lab.js';
import { labInstanceName } from './instances.js';

/** Takes `--instance NAME` / `--instance=NAME` out of argv. */
function takeInstanceFlag(argv: readonly string[]): { flag: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let flag: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === '--instance') {
      flag = argv[++i];
      if (flag === undefined) throw new Error('--instance needs a name');
    } else if (x.startsWith('--instance=')) {
      flag = x.slice('--instance='.length);
    } else {
      rest.push(x);
    }
  }
  return { flag, rest };
}

async function main(args: string[]): Promise<void> {
  const { flag, rest: argv } = takeInstanceFlag(args);
  const lab = new Lab({ instance: labInstanceName(flag, process.env), log: (m) => console.error(m) });
  const [cmd, a, b, ...rest] = argv;
  const need = (v: string | undefined, what: string): string => {
    if (!v) throw new Error(`missing ${what}`);
    return v;
  };
  switch (cmd) {
    case 'setup':
      await lab.setup();
      break;
    case 'images': {
      // Builds (or finds cached) every base image and prints how long that took.
      const t0 = Date.now();
      await lab.ensureImages();
      console.log(JSON.stringify({ imagesMs: Date.now() - t0, baseImages: lab.baseImages() }, null, 2));
      break;
    }
    case 'teardown':
      console.log(JSON.stringify(await lab.teardown({ purge: argv.includes('--purge'), purgeImages: argv.includes('--purge-images') }), null, 2));
      break;
    case 'list':
      console.log(JSON.stringify(lab.list(), null, 2));
      break;
    case 'boot': {
      const keys = [b, ...rest].filter((x): x is string => !!x).map((f) => readFileSync(f, 'utf8').trim());
      console.log(JSON.stringify(await lab.boot({ name: need(a, 'NAME'), image: { id: 'debian-12-x64', archivePath: null }, sshPublicKeys: keys })));
      break;
    }
    case 'destroy':
      await lab.destroy(need(a, 'NAME'));
      break;
    case 'capture':
      console.log(JSON.stringify(await lab.capture(need(a, 'NAME'), need(b, 'IMAGE_ID'))));
      break;
    case 'cut-off':
      await lab.cutOff(need(a, 'NAME'));
      break;
    case 'restore':
      await lab.restore(need(a, 'NAME'));
      break;
    case 'power-off':
      await lab.powerOff(need(a, 'NAME'));
      break;
    case 'power-on':
      await lab.powerOn(need(a, 'NAME'));
      break;
    case 'reboot':
      await lab.reboot(need(a, 'NAME'));
      break;
    case 'stop':
      await lab.stopService(need(a, 'NAME'), need(b, 'SERVICE'));
      break;
    case 'kill':
      await lab.killService(need(a, 'NAME'), need(b, 'SERVICE'));
      break;
    case 'start':
      await lab.startService(need(a, 'NAME'), need(b, 'SERVICE'));
      break;
    default:
      throw new Error('usage: [--instance NAME] setup | images | teardown [--purge] [--purge-images] | list | boot NAME [PUBKEY_FILE...] | destroy NAME | capture NAME IMAGE_ID | cut-off NAME | restore NAME | power-off NAME | power-on NAME | reboot NAME | stop|kill|start NAME SERVICE');
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
