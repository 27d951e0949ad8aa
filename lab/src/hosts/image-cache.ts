// Builds the lab's base images once into the machine-wide cache (imagesDir()) and reuses them
// while their inputs are unchanged: preloaded rootfs tarballs (keyed by the machine's busybox,
// node and npm) and served images (keyed by the recipe and apt's package lists). Every instance
// shares the cache; a build holds a lock so two processes never build the same image at once.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { applyFsSteps, run, runAll, writeFile, type FsStep } from '../exec.js';
import { withDirLock } from './file-lock.js';
import {
  IMAGE_RECIPE_VERSION,
  PRELOADED_IMAGES,
  SERVED_IMAGES,
  aptClosureCommand,
  aptDownloadCommand,
  busyboxListCommand,
  busyboxRootfsSteps,
  caBundle,
  debExtractCommand,
  ldconfigCommand,
  lddCommand,
  nodeRootfsSteps,
  parseAptSimulation,
  parseBusyboxList,
  parseLdd,
  rootfsTarCommand,
  servedRootfsSteps,
  type ServedImage,
} from './images.js';
import { BIN, MACHINE_CA_BUNDLE, NPM_DIR, imagesDir } from './layout.js';
import { imageConfigJson, imageManifestJson, type BuiltImage } from './oci.js';

const APT_LISTS = '/var/lib/apt/lists';

export class BaseImageCache {
  private preloaded: Promise<Map<string, string>> | null = null;
  private served: Promise<BuiltImage[]> | null = null;

  constructor(
    private readonly log: (m: string) => void,
    readonly dir = imagesDir(),
  ) {}

  /** Path of a blob of a served image. */
  blobFile(digest: string): string {
    return join(this.dir, 'blobs', digest.replace(':', '/'));
  }

  /** The preloaded images' tarballs (tag -> path), built if missing or stale. */
  ensurePreloaded(): Promise<Map<string, string>> {
    return (this.preloaded = retried(this.preloaded, () => this.buildPreloaded(), (ready) => [...ready.values()].every((p) => existsSync(p))));
  }

  /** The served images, built if missing or stale. */
  ensureServed(): Promise<BuiltImage[]> {
    return (this.served = retried(this.served, () => this.buildServed(), (built) => built.every((b) => existsSync(this.blobFile(b.manifest)))));
  }

  /** Forgets what this process knows (after the cache was removed). */
  forget(): void {
    this.preloaded = null;
    this.served = null;
  }

  private async buildPreloaded(): Promise<Map<string, string>> {
    await fsp.mkdir(this.dir, { recursive: true });
    const fingerprint = JSON.stringify({
      recipe: IMAGE_RECIPE_VERSION,
      node: fileStamp(BIN.node),
      npm: fileStamp(join(NPM_DIR, 'package.json')),
      busybox: fileStamp(BIN.busybox),
      ca: fileStamp(MACHINE_CA_BUNDLE),
    });
    const out = new Map<string, string>();
    for (const img of PRELOADED_IMAGES) {
      const tarball = join(this.dir, img.tarball);
      out.set(img.tag, tarball);
      const stampFile = `${tarball}.stamp`;
      const fresh = () => existsSync(tarball) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === fingerprint;
      if (fresh()) continue;
      await withDirLock(join(this.dir, `.lock-${img.key}`), async () => {
        if (fresh()) return;
        const t0 = Date.now();
        const applets = parseBusyboxList((await run(busyboxListCommand())).stdout);
        const staging = join(this.dir, `build-${img.key}-${process.pid}`);
        const steps: FsStep[] =
          img.key === 'busybox'
            ? busyboxRootfsSteps(staging, applets)
            : nodeRootfsSteps(staging, applets, BIN.node, parseLdd((await run(lddCommand(BIN.node))).stdout));
        try {
          await applyFsSteps(steps);
          await run(rootfsTarCommand(staging, `${tarball}.${process.pid}.tmp`));
          await fsp.rename(`${tarball}.${process.pid}.tmp`, tarball);
          await replaceFile(stampFile, fingerprint);
        } finally {
          await applyFsSteps([{ kind: 'remove', path: staging }]);
        }
        this.log(`built base image ${img.tag} in ${Date.now() - t0} ms`);
      });
    }
    return out;
  }

  private async buildServed(): Promise<BuiltImage[]> {
    await fsp.mkdir(this.dir, { recursive: true });
    const lists = aptListsStamp();
    const out: BuiltImage[] = [];
    for (const image of SERVED_IMAGES) {
      const record = join(this.dir, `${image.key}.json`);
      const fingerprint = JSON.stringify({ recipe: IMAGE_RECIPE_VERSION, packages: image.packages, keep: image.keep, remove: image.remove, settings: image.settings, lists, ca: existsSync(MACHINE_CA_BUNDLE) ? fileStamp(MACHINE_CA_BUNDLE) : null });
      const cached = (): BuiltImage | null => {
        try {
          const saved = JSON.parse(readFileSync(record, 'utf8')) as { fingerprint: string; image: BuiltImage };
          const blobs = [saved.image.manifest, saved.image.config, ...saved.image.layers];
          return saved.fingerprint === fingerprint && blobs.every((d) => existsSync(this.blobFile(d))) ? saved.image : null;
        } catch {
          return null;
        }
      };
      const built =
        cached() ??
        (await withDirLock(join(this.dir, `.lock-${image.key}`), async () => {
          const again = cached();
          if (again) return again;
          const t0 = Date.now();
          const made = await this.buildServedImage(image);
          await replaceFile(record, JSON.stringify({ fingerprint, image: made }, null, 2));
          this.log(`built base image ${image.repository}:${image.tag} from Debian packages in ${Date.now() - t0} ms`);
          return made;
        }));
      out.push(built);
    }
    return out;
  }

  private async buildServedImage(image: ServedImage): Promise<BuiltImage> {
    const work = join(this.dir, `build-${image.key}-${process.pid}`);
    const debs = join(work, 'debs');
    const unpacked = join(work, 'unpacked');
    const staging = image.keep ? join(work, 'rootfs') : unpacked;
    await applyFsSteps([{ kind: 'remove', path: work }, { kind: 'mkdir', path: debs }, { kind: 'mkdir', path: unpacked }]);
    try {
      const packages = image.withDependencies ? await aptClosure(image.packages, work) : image.packages;
      await run(aptDownloadCommand(debs, packages));
      await runAll(readdirSync(debs).filter((f) => f.endsWith('.deb')).sort().map((f) => debExtractCommand(join(debs, f), unpacked)));
      if (image.keep) {
        await applyFsSteps(image.keep.filter((p) => existsSync(join(unpacked, p))).map((p): FsStep => ({ kind: 'copy', from: join(unpacked, p), to: join(staging, p) })));
      }
      await applyFsSteps(image.remove.map((p): FsStep => ({ kind: 'remove', path: join(staging, p) })));
      const bundle = existsSync(MACHINE_CA_BUNDLE)
        ? readFileSync(MACHINE_CA_BUNDLE, 'utf8')
        : caBundle(readCaCertificates(join(staging, 'usr/share/ca-certificates')));
      await applyFsSteps(servedRootfsSteps(staging, bundle));
      if (image.withDependencies) await run(ldconfigCommand(staging));

      const layerTar = join(work, 'layer.tar');
      await run(rootfsTarCommand(staging, layerTar));
      const layer = await this.storeGzipped(layerTar);
      const created = new Date().toISOString();
      const config = await this.storeBlob(Buffer.from(imageConfigJson(image.settings, layer.diffId, created, `slipway-lab: ${image.packages.join(' ')} from Debian`)));
      const manifest = await this.storeBlob(Buffer.from(imageManifestJson(config, layer)));
      return { repository: image.repository, tag: image.tag, manifest: manifest.digest, config: config.digest, layers: [layer.digest] };
    } finally {
      await applyFsSteps([{ kind: 'remove', path: work }]);
    }
  }

  /** Stores bytes as a blob named by their sha256. */
  private async storeBlob(bytes: Buffer): Promise<{ digest: string; size: number }> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const file = this.blobFile(digest);
    await fsp.mkdir(join(file, '..'), { recursive: true });
    await replaceFile(file, bytes);
    return { digest, size: bytes.length };
  }

  /** Gzips a layer tarball into a blob: its digest (compressed) and diff id (uncompressed). */
  private async storeGzipped(tarball: string): Promise<{ digest: string; size: number; diffId: string }> {
    const tmp = join(this.dir, 'blobs', `upload-${process.pid}-${Date.now()}`);
    await fsp.mkdir(join(this.dir, 'blobs'), { recursive: true });
    const plain = createHash('sha256');
    const zipped = createHash('sha256');
    let size = 0;
    const tap = (hash: ReturnType<typeof createHash>, count = false) =>
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          if (count) size += chunk.length;
          done(null, chunk);
        },
      });
    // Level 1: the layer only travels over the lab bridge; speed matters more than size.
    await pipeline(createReadStream(tarball), tap(plain), createGzip({ level: 1 }), tap(zipped, true), createWriteStream(tmp));
    const digest = `sha256:${zipped.digest('hex')}`;
    const file = this.blobFile(digest);
    await fsp.mkdir(join(file, '..'), { recursive: true });
    await fsp.rename(tmp, file);
    return { digest, size, diffId: `sha256:${plain.digest('hex')}` };
  }
}

/** The packages apt would install for `roots` on an empty system. */
async function aptClosure(roots: readonly string[], work: string): Promise<string[]> {
  const emptyStatus = join(work, 'empty-status');
  await writeFile({ path: emptyStatus, contents: '' });
  const simulated = await run(aptClosureCommand(roots, emptyStatus)).catch((e: Error) => {
    throw new Error(`apt cannot resolve ${roots.join(' ')} (are apt's package lists there? run apt-get update): ${e.message}`);
  });
  const packages = parseAptSimulation(simulated.stdout);
  if (packages.length === 0) throw new Error(`apt resolved nothing for ${roots.join(' ')}: run apt-get update`);
  return packages;
}

function readCaCertificates(dir: string): { name: string; pem: string }[] {
  const mozilla = join(dir, 'mozilla');
  if (!existsSync(mozilla)) return [];
  return readdirSync(mozilla)
    .filter((f) => f.endsWith('.crt'))
    .map((name) => ({ name, pem: readFileSync(join(mozilla, name), 'utf8') }));
}

/** Size and mtime of apt's package lists: when they change, served images are rebuilt. */
function aptListsStamp(): string {
  if (!existsSync(APT_LISTS)) return 'none';
  return readdirSync(APT_LISTS)
    .filter((f) => f.includes('_Packages'))
    .sort()
    .map((f) => `${f}:${fileStamp(join(APT_LISTS, f))}`)
    .join(',');
}

function fileStamp(path: string): string {
  const s = statSync(path);
  return `${s.size}:${s.mtimeMs}`;
}

/** Writes a file under a temporary name, then renames it into place (readers never see half of it). */
async function replaceFile(path: string, contents: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, contents);
  await fsp.rename(tmp, path);
}

/** A cached promise, started again when it failed or its result is gone from disk. */
async function retried<T>(current: Promise<T> | null, start: () => Promise<T>, stillThere: (value: T) => boolean): Promise<T> {
  if (current) {
    const value = await current.catch(() => null);
    if (value !== null && stillThere(value)) return value;
  }
  return start();
}
