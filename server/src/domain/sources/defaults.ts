// Plain defaults for the source pipeline; config.ts reads them, so this file imports nothing.

/** Limits applied to an uploaded archive while it is received and unpacked. */
export interface ArchiveLimits {
  /** Bytes of the upload itself (the compressed archive). */
  maxCompressedBytes: number;
  /** Bytes of file contents written while unpacking, counted as they are inflated. */
  maxUncompressedBytes: number;
  /** Files, folders and links in the archive. */
  maxEntries: number;
  /** Bytes of one entry's path (UTF-8). */
  maxPathBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxCompressedBytes: 100 * 1024 * 1024,
  maxUncompressedBytes: 500 * 1024 * 1024,
  maxEntries: 20_000,
  maxPathBytes: 1024,
});

/** The images generated Dockerfiles start from. */
export interface BaseImages {
  node: string;
  python: string;
  /** The Go toolchain image of the build stage. */
  go: string;
  /** The image the compiled Go binary runs in. */
  goRuntime: string;
  /** Serves static sites with busybox httpd. */
  static: string;
}

export const DEFAULT_BASE_IMAGES: Readonly<BaseImages> = Object.freeze({
  node: "node:20-slim",
  python: "python:3.12-slim",
  go: "golang:1.23",
  goRuntime: "gcr.io/distroless/static",
  static: "busybox:stable",
});

export const DEFAULT_GIT_TIMEOUT_MS = 5 * 60 * 1000;
