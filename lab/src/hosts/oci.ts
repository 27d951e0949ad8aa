// Docker images as files, for the served base images: the image config and the manifest (schema 2)
// of a one-layer image, and the files an instance's registry (Debian's docker-registry,
// distribution 2.x) keeps for it in its filesystem storage, so a registry serves an image without
// a push. Pure.

import { join } from 'node:path';
import type { FsStep } from '../exec.js';
import type { ImageSettings } from './images.js';

export const MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
export const CONFIG_MEDIA_TYPE = 'application/vnd.docker.container.image.v1+json';
export const LAYER_MEDIA_TYPE = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

export interface Descriptor {
  digest: string;
  size: number;
}

/** The image config: the settings, and the one layer by its uncompressed digest. */
export function imageConfigJson(settings: ImageSettings, diffId: string, created: string, createdBy: string): string {
  return JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created,
    config: settings,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: createdBy }],
  });
}

export function imageManifestJson(config: Descriptor, layer: Descriptor): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config: { mediaType: CONFIG_MEDIA_TYPE, ...config },
    layers: [{ mediaType: LAYER_MEDIA_TYPE, ...layer }],
  });
}

/** What the cache knows of a built served image. */
export interface BuiltImage {
  repository: string;
  tag: string;
  manifest: string;
  config: string;
  layers: string[];
}

function hex(digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new Error(`not a sha256 digest: ${digest}`);
  return m[1]!;
}

/**
 * The registry storage files that make `repository:tag` pullable: each blob (hard-linked from
 * the cache), the repository's links to its layers, config and manifest, and the tag.
 */
export function registryStorageSteps(storageRoot: string, blobFile: (digest: string) => string, image: BuiltImage): FsStep[] {
  const v2 = join(storageRoot, 'docker', 'registry', 'v2');
  const repo = join(v2, 'repositories', image.repository);
  const link = (path: string, digest: string): FsStep => ({ kind: 'write', file: { path: join(path, 'link'), contents: digest } });
  const digests = [image.manifest, image.config, ...image.layers];
  return [
    ...digests.map((d): FsStep => ({ kind: 'hardlink', from: blobFile(d), to: join(v2, 'blobs', 'sha256', hex(d).slice(0, 2), hex(d), 'data') })),
    ...[image.config, ...image.layers].map((d) => link(join(repo, '_layers', 'sha256', hex(d)), d)),
    link(join(repo, '_manifests', 'revisions', 'sha256', hex(image.manifest)), image.manifest),
    link(join(repo, '_manifests', 'tags', image.tag, 'current'), image.manifest),
    link(join(repo, '_manifests', 'tags', image.tag, 'index', 'sha256', hex(image.manifest)), image.manifest),
  ];
}

/** docker-registry's configuration: filesystem storage, deletes allowed, one address. */
export function registryConfigYaml(storageRoot: string, address: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageRoot}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${address}`,
    '',
  ].join('\n');
}
