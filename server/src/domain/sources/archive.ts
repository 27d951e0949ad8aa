import { createHash } from "node:crypto";
import { constants, createReadStream, createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { copyFile, mkdir, open, rm, stat, symlink } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import yauzl from "yauzl";
import { ValidationError } from "../errors.js";
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from "./defaults.js";
import { makeTempDir, removeDir } from "./temp.js";
import {
  assertTreeIsSafe, normalizeEntryPath, quoteName, resolveLinkTarget, sourceError, unwrapSingleFolder,
} from "./tree.js";

// Uploaded code: a tar.gz or zip, received to disk under a size cap, recognised by its first
// bytes, and unpacked by our own writer so that every entry passes the same rules:
// - paths are relative and never contain `..`; they are at most maxPathBytes long;
// - folders, regular files and links only: devices, FIFOs, sockets and other types are refused;
// - symbolic links must point inside the code: absolute or climbing targets are refused at once,
//   and after unpacking every link must resolve on disk to an existing entry inside the root;
// - hard links (tar only) must name a regular file of the archive and become a copy of it;
// - links are created last, so no file is ever written through one;
// - file contents are counted as they are inflated, never trusting sizes in headers;
// - a single top-level folder (GitHub-style archives) is unwrapped; `__MACOSX/` entries in zips are skipped.
// Any refusal removes everything this module wrote.

export type { ArchiveLimits } from "./defaults.js";
export { DEFAULT_ARCHIVE_LIMITS } from "./defaults.js";

/** A Web File/Blob (e.g. a GraphQL upload) or a Node stream with the name the user gave it. */
export type ArchiveUpload = Blob | { stream: NodeJS.ReadableStream | AsyncIterable<Uint8Array> | Iterable<Uint8Array>; filename?: string };

export type ArchiveKind = "tar.gz" | "zip";

export interface ExtractedArchive {
  /** The unpacked code; a single wrapping folder is already unwrapped. */
  root: string;
  kind: ArchiveKind;
  /** sha256 of the uploaded bytes, as `sha256:<hex>`. */
  digest: string;
  compressedBytes: number;
  uncompressedBytes: number;
  entries: number;
  /** Removes everything extractArchive put on disk. */
  cleanup(): Promise<void>;
}

export interface ExtractArchiveOptions {
  /** A fresh folder is made under it for this upload. */
  tempDir: string;
  limits?: Partial<ArchiveLimits>;
}

/** Recognises an archive by its first bytes: gzip (assumed to hold a tar), zip, or a plain tar. */
export function detectArchiveKind(head: Uint8Array): ArchiveKind | "tar" | null {
  if (head[0] === 0x1f && head[1] === 0x8b) return "tar.gz";
  if (head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) return "zip";
  if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString("latin1") === "ustar") return "tar";
  return null;
}

export async function extractArchive(upload: ArchiveUpload, options: ExtractArchiveOptions): Promise<ExtractedArchive> {
  const limits: ArchiveLimits = { ...DEFAULT_ARCHIVE_LIMITS, ...options.limits };
  const name = uploadName(upload);
  const work = await makeTempDir(options.tempDir, "archive");
  try {
    const uploadPath = path.join(work, "upload");
    const received = await receiveUpload(upload, uploadPath, limits.maxCompressedBytes);
    const kind = detectArchiveKind(await readHead(uploadPath, 512));
    if (kind !== "tar.gz" && kind !== "zip") {
      const hint = kind === "tar" ? "; it looks like an uncompressed tar, gzip it first (tar -czf)" : "";
      throw sourceError("file", `The upload${name ? ` ${quoteName(name)}` : ""} is not a tar.gz or zip archive${hint}`);
    }
    const tree = path.join(work, "tree");
    await mkdir(tree, { mode: 0o700 });
    const writer = new TreeWriter(tree, limits);
    try {
      await (kind === "zip" ? extractZip(uploadPath, writer, limits) : extractTarGz(uploadPath, writer, limits));
      await writer.finish();
    } catch (error) {
      writer.fail(error);
      await writer.settled();
      throw asArchiveError(error, kind, limits);
    }
    if (writer.files === 0) throw sourceError("file", "The archive contains no files");
    await rm(uploadPath);
    const root = await unwrapSingleFolder(tree);
    await assertTreeIsSafe(root, "file");
    return {
      root,
      kind,
      digest: received.digest,
      compressedBytes: received.bytes,
      uncompressedBytes: writer.bytes,
      entries: writer.entries,
      cleanup: () => removeDir(work),
    };
  } catch (error) {
    await removeDir(work);
    throw error;
  }
}

function uploadName(upload: ArchiveUpload): string | undefined {
  if (isBlobLike(upload)) return "name" in upload && typeof upload.name === "string" && upload.name ? upload.name : undefined;
  return upload.filename;
}

function uploadTooLarge(limits: Pick<ArchiveLimits, "maxCompressedBytes">): ValidationError {
  return sourceError("file", `The upload is larger than the limit of ${formatBytes(limits.maxCompressedBytes)}`);
}

function unpacksTooLarge(limits: ArchiveLimits): ValidationError {
  return sourceError("file", `The archive unpacks to more than the limit of ${formatBytes(limits.maxUncompressedBytes)}`);
}

export function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function isBlobLike(upload: ArchiveUpload): upload is Blob {
  return typeof (upload as Blob).stream === "function" && typeof (upload as Blob).size === "number";
}

/** Streams the upload to `dest`, hashing it and stopping as soon as it passes the limit. */
async function receiveUpload(upload: ArchiveUpload, dest: string, maxBytes: number): Promise<{ bytes: number; digest: string }> {
  if (isBlobLike(upload) && upload.size > maxBytes) throw uploadTooLarge({ maxCompressedBytes: maxBytes });
  // Native Blobs and server frameworks' File ponyfills both give async-iterable streams.
  const source = Readable.from(isBlobLike(upload) ? (upload.stream() as unknown as AsyncIterable<Uint8Array>) : upload.stream);
  const hash = createHash("sha256");
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) return callback(uploadTooLarge({ maxCompressedBytes: maxBytes }));
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  await pipeline(source, meter, createWriteStream(dest, { flags: "wx", mode: 0o600 }));
  return { bytes, digest: `sha256:${hash.digest("hex")}` };
}

async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function asArchiveError(error: unknown, kind: ArchiveKind, limits: ArchiveLimits): unknown {
  if (error instanceof ValidationError || !(error instanceof Error)) return error;
  if ("syscall" in error) return error; // the disk, not the archive
  const yauzlPath = /^(?:absolute path|invalid relative path|invalid characters in fileName): ([\s\S]*)$/.exec(error.message);
  if (yauzlPath) {
    try {
      normalizeEntryPath(yauzlPath[1]!, limits.maxPathBytes);
    } catch (pathError) {
      return pathError;
    }
  }
  const detail = error.message.replace(/^TAR_[A-Z_]+: /, "");
  return sourceError("file", `The upload is not a valid ${kind} archive: ${detail}`);
}

type NodeKind = "dir" | "file" | "symlink" | "hardlink";

/** Anything with Node-stream-like data events: a tar ReadEntry or a yauzl read stream. */
interface Source {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: "data" | "end" | "error", listener: (...args: any[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/**
 * Writes entries of one archive into a fresh folder. Each entry is admitted first (counted, its
 * path checked, its place in the tree recorded so a path can't be both a file and a folder or
 * appear twice); links are only remembered and created by finish(), after every file is written.
 */
class TreeWriter {
  entries = 0;
  files = 0;
  bytes = 0;
  /** Called once with the first failure, e.g. to stop the tar parser. */
  onFail: (error: unknown) => void = () => {};
  private readonly nodes = new Map<string, NodeKind>();
  private readonly pending: Promise<void>[] = [];
  private readonly active = new Set<{ out: WriteStream; source: Source }>();
  private readonly symlinks: { path: string; target: string }[] = [];
  private readonly hardlinks: { path: string; target: string; raw: string }[] = [];
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly root: string,
    private readonly limits: ArchiveLimits,
  ) {}

  /** Counts and checks an entry; returns its normalized path, or null for the root folder itself. */
  admit(raw: string, kind: NodeKind): string | null {
    this.throwIfFailed();
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      throw sourceError("file", `The archive has more than the limit of ${this.limits.maxEntries} entries`);
    }
    const rel = normalizeEntryPath(raw, this.limits.maxPathBytes);
    if (rel === "") {
      if (kind === "dir") return null;
      throw sourceError("file", `The archive contains an unsafe path ${quoteName(raw)}: it names the archive's root`);
    }
    const segments = rel.split("/");
    for (let i = 1; i < segments.length; i++) {
      const ancestor = segments.slice(0, i).join("/");
      const existing = this.nodes.get(ancestor);
      if (existing === undefined) this.nodes.set(ancestor, "dir");
      else if (existing !== "dir") {
        throw sourceError("file", `The archive contains ${quoteName(rel)} inside ${quoteName(ancestor)}, which is not a folder`);
      }
    }
    const existing = this.nodes.get(rel);
    if (existing !== undefined && !(existing === "dir" && kind === "dir")) {
      throw sourceError("file", `The archive contains ${quoteName(rel)} more than once`);
    }
    this.nodes.set(rel, kind);
    if (kind !== "dir") this.files += 1;
    return rel;
  }

  addDirectory(rel: string): void {
    mkdirSync(path.join(this.root, rel), { recursive: true, mode: 0o755 });
  }

  addSymlink(rel: string, target: string): void {
    resolveLinkTarget(rel, target, this.limits.maxPathBytes);
    this.symlinks.push({ path: rel, target });
  }

  addHardlink(rel: string, rawTarget: string): void {
    let target: string;
    try {
      target = normalizeEntryPath(rawTarget, this.limits.maxPathBytes);
    } catch {
      throw sourceError("file", `The archive contains a hard link ${quoteName(rel)} -> ${quoteName(rawTarget)} that points outside the archive`);
    }
    this.hardlinks.push({ path: rel, target, raw: rawTarget });
  }

  /** Streams one file's contents to disk, counting every inflated byte against the limit. */
  writeFile(rel: string, executable: boolean, source: Source, declaredSize: number): Promise<void> {
    this.throwIfFailed();
    if (this.bytes + declaredSize > this.limits.maxUncompressedBytes) throw unpacksTooLarge(this.limits);
    const abs = path.join(this.root, rel);
    mkdirSync(path.dirname(abs), { recursive: true, mode: 0o755 });
    const out = createWriteStream(abs, { flags: "wx", mode: executable ? 0o755 : 0o644 });
    const job = { out, source };
    this.active.add(job);
    const finished = new Promise<void>((resolve) => {
      out.on("close", () => {
        this.active.delete(job);
        resolve();
      });
    });
    out.on("error", (error) => this.fail(error));
    source.on("error", (error: Error) => this.fail(error));
    source.on("data", (chunk: Buffer) => {
      if (this.failure) return;
      this.bytes += chunk.length;
      if (this.bytes > this.limits.maxUncompressedBytes) return this.fail(unpacksTooLarge(this.limits));
      if (!out.write(chunk)) {
        source.pause();
        out.once("drain", () => source.resume());
      }
    });
    source.on("end", () => out.end());
    source.resume();
    this.pending.push(finished);
    return finished.then(() => this.throwIfFailed());
  }

  /** Waits for every file, then makes hard links into copies and creates the symbolic links. */
  async finish(): Promise<void> {
    await this.settled();
    this.throwIfFailed();
    for (const link of this.hardlinks) {
      if (this.nodes.get(link.target) !== "file") {
        throw sourceError("file", `The archive contains a hard link ${quoteName(link.path)} -> ${quoteName(link.raw)} that does not point to a file of the archive`);
      }
      const from = path.join(this.root, link.target);
      this.bytes += (await stat(from)).size;
      if (this.bytes > this.limits.maxUncompressedBytes) throw unpacksTooLarge(this.limits);
      await copyFile(from, path.join(this.root, link.path), constants.COPYFILE_EXCL);
    }
    for (const link of this.symlinks) {
      const abs = path.join(this.root, link.path);
      mkdirSync(path.dirname(abs), { recursive: true, mode: 0o755 });
      await symlink(link.target, abs);
    }
  }

  fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    for (const { out, source } of this.active) {
      out.destroy();
      if (source instanceof Readable) source.destroy();
    }
    this.onFail(error);
  }

  /** Resolves once no file is being written any more (whatever happened to them). */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}

// The tar stream also carries headers and padding; this much beyond the content limit is allowed for them.
const tarOverhead = (limits: ArchiveLimits) => limits.maxEntries * 4096 + 1024 * 1024;

async function extractTarGz(file: string, writer: TreeWriter, limits: ArchiveLimits): Promise<void> {
  const parser = new Parser({ strict: true, zstd: false, brotli: false, maxMetaEntrySize: 64 * 1024 });
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on("end", resolve);
    parser.on("error", reject);
  });
  parsed.catch(() => {});
  writer.onFail = (error) => parser.abort(error instanceof Error ? error : new Error(String(error)));
  parser.on("entry", (entry: ReadEntry) => {
    try {
      addTarEntry(writer, entry).catch(() => {}); // failures reach the parser through writer.onFail
    } catch (error) {
      entry.resume();
      writer.fail(error);
    }
  });
  parser.on("ignoredEntry", (entry: ReadEntry) => {
    writer.fail(sourceError("file", `The archive contains ${quoteName(entry.path)} of an unsupported type (${entry.type})`));
  });

  let seen = 0;
  const tarLimit = limits.maxUncompressedBytes + tarOverhead(limits);
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (seen === 0 && chunk[0] === 0x1f && chunk[1] === 0x8b) {
        return callback(sourceError("file", "The archive is compressed twice; upload a plain .tar.gz"));
      }
      seen += chunk.length;
      if (seen > tarLimit) return callback(unpacksTooLarge(limits));
      callback(null, chunk);
    },
  });
  const feed = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (parser.write(chunk)) callback();
      else parser.once("drain", () => callback());
    },
    final(callback) {
      parser.end();
      parsed.then(() => callback(), callback);
    },
  });
  parser.on("error", (error: Error) => feed.destroy(error));
  try {
    await Promise.all([pipeline(createReadStream(file), createGunzip(), meter, feed), parsed]);
  } catch (error) {
    writer.fail(error);
    throw error;
  }
}

function addTarEntry(writer: TreeWriter, entry: ReadEntry): Promise<void> {
  const refuse = (what: string) => sourceError("file", `The archive contains ${quoteName(entry.path)}, which is ${what}; only files, folders and links are allowed`);
  switch (entry.type) {
    case "Directory": {
      const rel = writer.admit(entry.path, "dir");
      if (rel) writer.addDirectory(rel);
      entry.resume();
      return Promise.resolve();
    }
    case "File":
    case "OldFile":
    case "ContiguousFile": {
      const rel = writer.admit(entry.path, "file")!;
      return writer.writeFile(rel, ((entry.mode ?? 0) & 0o111) !== 0, entry, entry.size);
    }
    case "SymbolicLink": {
      const rel = writer.admit(entry.path, "symlink")!;
      writer.addSymlink(rel, entry.linkpath ?? "");
      entry.resume();
      return Promise.resolve();
    }
    case "Link": {
      const rel = writer.admit(entry.path, "hardlink")!;
      writer.addHardlink(rel, entry.linkpath ?? "");
      entry.resume();
      return Promise.resolve();
    }
    case "CharacterDevice":
    case "BlockDevice":
      throw refuse("a device file");
    case "FIFO":
      throw refuse("a FIFO (named pipe)");
    default:
      throw refuse(`of an unsupported type (${entry.type})`);
  }
}

const S_IFMT = 0o170000;
const unixTypes: Record<number, "file" | "dir" | "symlink" | "device" | "fifo" | "socket"> = {
  0o100000: "file",
  0o040000: "dir",
  0o120000: "symlink",
  0o020000: "device",
  0o060000: "device",
  0o010000: "fifo",
  0o140000: "socket",
};

/** A zip entry's type, from the Unix mode that Unix zip tools keep in the external attributes. */
export function zipEntryType(entry: Pick<yauzl.Entry, "fileName" | "versionMadeBy" | "externalFileAttributes">) {
  const madeBy = entry.versionMadeBy >> 8;
  const mode = madeBy === 3 || madeBy === 19 ? entry.externalFileAttributes >>> 16 : 0;
  if (entry.fileName.endsWith("/")) return { type: "dir" as const, mode };
  const type = (mode & S_IFMT) === 0 ? "file" : unixTypes[mode & S_IFMT];
  return { type: type ?? ("other" as const), mode };
}

async function extractZip(file: string, writer: TreeWriter, limits: ArchiveLimits): Promise<void> {
  const zip = await yauzl.openPromise(file, {
    lazyEntries: true, autoClose: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: false,
  });
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw sourceError("file", `The archive has more than the limit of ${limits.maxEntries} entries`);
    }
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName === "__MACOSX" || entry.fileName.startsWith("__MACOSX/")) continue;
      const { type, mode } = zipEntryType(entry);
      if (type === "dir") {
        const rel = writer.admit(entry.fileName, "dir");
        if (rel) writer.addDirectory(rel);
        continue;
      }
      if (type !== "file" && type !== "symlink") {
        const what = type === "device" ? "a device file" : type === "fifo" ? "a FIFO (named pipe)" : type === "socket" ? "a socket" : "of an unsupported type";
        throw sourceError("file", `The archive contains ${quoteName(entry.fileName)}, which is ${what}; only files, folders and links are allowed`);
      }
      if (entry.isEncrypted()) throw sourceError("file", `The archive contains an encrypted entry ${quoteName(entry.fileName)}; encrypted zips are not supported`);
      const rel = writer.admit(entry.fileName, type)!;
      if (type === "symlink") {
        writer.addSymlink(rel, await readZipLinkTarget(zip, entry, limits));
      } else {
        await writer.writeFile(rel, (mode & 0o111) !== 0, await zip.openReadStreamPromise(entry), entry.uncompressedSize).catch((error: unknown) => {
          if (error instanceof ValidationError || (error instanceof Error && "syscall" in error)) throw error;
          throw sourceError("file", `The archive's entry ${quoteName(entry.fileName)} is damaged: ${error instanceof Error ? error.message : String(error)}`);
        });
      }
    }
  } finally {
    zip.close();
  }
}

async function readZipLinkTarget(zip: yauzl.ZipFile, entry: yauzl.Entry, limits: ArchiveLimits): Promise<string> {
  if (entry.uncompressedSize > limits.maxPathBytes) {
    throw sourceError("file", `The archive contains a link ${quoteName(entry.fileName)} with a target longer than ${limits.maxPathBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of await zip.openReadStreamPromise(entry)) {
    length += (chunk as Buffer).length;
    if (length > limits.maxPathBytes) {
      throw sourceError("file", `The archive contains a link ${quoteName(entry.fileName)} with a target longer than ${limits.maxPathBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
