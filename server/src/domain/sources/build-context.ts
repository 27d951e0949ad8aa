import { createReadStream } from "node:fs";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { Header, Pax, type HeaderData } from "tar";
import { quoteName, sourceError } from "./tree.js";

// The build context is the tar stream `docker build` receives. It is deterministic: entries in
// byte order of their paths, every mtime CONTEXT_MTIME, owner 0:0 without names, modes 0755 for
// folders and executables, 0644 for other files, 0777 for links; so the same code always gives
// the same bytes. Links are stored as links, never followed. `.dockerignore` is honoured in a
// small subset: `#` comments, `!` exceptions (the last matching line wins), `*`, `?`, `**` and
// `[...]`; a pattern matching a folder leaves out everything below it. Dockerfile and
// .dockerignore are always sent, as docker does.

/** 2000-01-01T00:00:00Z: fixed, and after 1980 so tools that write zip timestamps (pip) don't choke. */
export const CONTEXT_MTIME = new Date(Date.UTC(2000, 0, 1));

export interface ContextFile {
  path: string;
  contents: string | Buffer;
  executable?: boolean;
}

export interface ContextEntry {
  /** Relative, `/`-separated, without a trailing slash. */
  path: string;
  type: "dir" | "file" | "symlink";
  mode: number;
  size: number;
  linkTarget?: string;
  /** Where a file's bytes come from: a file on disk or bytes given by the caller. */
  source?: { file: string } | { data: Buffer };
}

export interface BuildContextOptions {
  /** Files added to (not found in) the folder, e.g. a generated Dockerfile. */
  extraFiles?: ContextFile[];
  /** Patterns applied only when the folder has no .dockerignore. */
  defaultIgnore?: string[];
}

export interface BuildContext {
  entries: ContextEntry[];
  /** Exact byte length of the tar stream. */
  size: number;
  /** A new stream of the tar each time it is called. */
  stream(): Readable;
}

export interface IgnoreRule {
  negate: boolean;
  pattern: string;
  regex: RegExp;
}

/** Parses .dockerignore text into rules; blank lines and comments are dropped. */
export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1).trim();
    const pattern = path.posix.normalize(line).replace(/^(\.\/|\/)+/, "").replace(/\/+$/, "");
    if (pattern === "" || pattern === ".") continue;
    rules.push({ negate, pattern, regex: globToRegExp(pattern) });
  }
  return rules;
}

/** A glob as .dockerignore means it: `*` and `?` stay within one path segment, `**` spans any. */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i += 1;
        if (glob[i + 1] === "/") {
          i += 1;
          out += "(?:.*/)?";
        } else {
          out += ".*";
        }
      } else {
        out += "[^/]*";
      }
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end === -1) {
        out += "\\[";
      } else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith("!") || body.startsWith("^")) body = `^${body.slice(1)}`;
        out += `[${body.replace(/[\\\]]/g, "\\$&")}]`;
        i = end;
      }
    } else if (c === "\\" && i + 1 < glob.length) {
      i += 1;
      out += glob[i]!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    }
  }
  return new RegExp(`^${out}$`);
}

/** Whether a path is left out: the last rule matching it or one of its parent folders decides. */
export function isIgnored(rules: readonly IgnoreRule[], relPath: string): boolean {
  const candidates = relPath.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regex.test(candidate))) ignored = !rule.negate;
  }
  return ignored;
}

const ALWAYS_SENT = new Set(["Dockerfile", ".dockerignore"]);

/** Lists what goes into the context, sorted, with .dockerignore and the extra files applied. */
export async function listContextEntries(root: string, options: BuildContextOptions = {}): Promise<ContextEntry[]> {
  const found: ContextEntry[] = [];
  const pending = [""];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      const abs = path.join(root, rel);
      if (entry.isDirectory()) {
        found.push({ path: rel, type: "dir", mode: 0o755, size: 0 });
        pending.push(rel);
      } else if (entry.isSymbolicLink()) {
        found.push({ path: rel, type: "symlink", mode: 0o777, size: 0, linkTarget: await readlink(abs) });
      } else if (entry.isFile()) {
        const info = await lstat(abs);
        found.push({ path: rel, type: "file", mode: info.mode & 0o111 ? 0o755 : 0o644, size: info.size, source: { file: abs } });
      } else {
        throw sourceError("source", `${quoteName(rel)} is not a regular file, folder or link`);
      }
    }
  }

  const byPath = new Map(found.map((entry) => [entry.path, entry]));
  for (const extra of options.extraFiles ?? []) {
    if (byPath.has(extra.path)) throw new Error(`The build context already has ${extra.path}`);
    const data = Buffer.isBuffer(extra.contents) ? extra.contents : Buffer.from(extra.contents, "utf8");
    const entry: ContextEntry = { path: extra.path, type: "file", mode: extra.executable ? 0o755 : 0o644, size: data.length, source: { data } };
    found.push(entry);
    byPath.set(entry.path, entry);
  }

  const ignoreFile = byPath.get(".dockerignore");
  const rules =
    ignoreFile?.type === "file" && ignoreFile.source && "file" in ignoreFile.source
      ? parseDockerignore(await readFile(ignoreFile.source.file, "utf8"))
      : parseDockerignore((options.defaultIgnore ?? []).join("\n"));

  const kept = found.filter((entry) => entry.type !== "dir" && (ALWAYS_SENT.has(entry.path) || !isIgnored(rules, entry.path)));
  // A folder is sent when it is not ignored itself, or when something kept lies inside it.
  const keptDirs = new Set<string>();
  for (const entry of kept) {
    const parts = entry.path.split("/");
    for (let i = 1; i < parts.length; i++) keptDirs.add(parts.slice(0, i).join("/"));
  }
  const dirs = found.filter((entry) => entry.type === "dir" && (keptDirs.has(entry.path) || !isIgnored(rules, entry.path)));
  return [...dirs, ...kept].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The header block(s) of one entry: a pax header first when the path or target needs it. */
export function tarHeader(entry: ContextEntry): Buffer {
  const data: HeaderData = {
    path: entry.type === "dir" ? `${entry.path}/` : entry.path,
    mode: entry.mode,
    uid: 0,
    gid: 0,
    size: entry.type === "file" ? entry.size : 0,
    mtime: CONTEXT_MTIME,
    type: entry.type === "dir" ? "Directory" : entry.type === "symlink" ? "SymbolicLink" : "File",
    linkpath: entry.linkTarget ?? "",
    uname: "",
    gname: "",
  };
  const header = new Header(data);
  const block = Buffer.alloc(512);
  const needPax = header.encode(block, 0);
  if (!needPax) return block;
  const pax = new Pax({ path: data.path, linkpath: entry.linkTarget, mtime: CONTEXT_MTIME, size: data.size, uid: 0, gid: 0 }).encode();
  return Buffer.concat([pax, block]);
}

const padding = (size: number) => (512 - (size % 512)) % 512;

export async function packBuildContext(root: string, options: BuildContextOptions = {}): Promise<BuildContext> {
  const entries = await listContextEntries(root, options);
  const headers = entries.map(tarHeader);
  const size = headers.reduce((total, header, i) => total + header.length + entries[i]!.size + padding(entries[i]!.size), 1024);
  return {
    entries,
    size,
    stream: () => Readable.from(tarChunks(entries, headers)),
  };
}

async function* tarChunks(entries: ContextEntry[], headers: Buffer[]): AsyncGenerator<Buffer> {
  for (const [i, entry] of entries.entries()) {
    yield headers[i]!;
    if (entry.type !== "file" || !entry.source) continue;
    if ("data" in entry.source) {
      yield entry.source.data;
    } else {
      let written = 0;
      for await (const chunk of createReadStream(entry.source.file)) {
        written += (chunk as Buffer).length;
        if (written > entry.size) break;
        yield chunk as Buffer;
      }
      if (written !== entry.size) throw new Error(`${entry.path} changed size while the build context was being written`);
    }
    if (padding(entry.size) > 0) yield Buffer.alloc(padding(entry.size));
  }
  yield Buffer.alloc(1024);
}
