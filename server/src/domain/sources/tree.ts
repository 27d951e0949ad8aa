import { lstat, readdir, realpath } from "node:fs/promises";
import path from "node:path";
import { ValidationError } from "../errors.js";

// Rules for paths and links inside unpacked code, shared by archives and git checkouts.

/** Quotes a name from outside for an error message: bounded, with control characters escaped. */
export function quoteName(name: string): string {
  const shown = name.length > 200 ? `${name.slice(0, 200)}…` : name;
  return JSON.stringify(shown);
}

export function sourceError(field: string, message: string): ValidationError {
  return new ValidationError(message, [{ path: [field], message }]);
}

/**
 * Normalizes an archive entry's path to `a/b/c` (no leading `./`, no empty or `.` segments), or ""
 * for the root itself. Absolute paths, drive letters, backslashes, NUL bytes and any `..` segment
 * are refused rather than repaired: an archive that tries them is not one we want to trust.
 */
export function normalizeEntryPath(raw: string, maxPathBytes: number): string {
  const unsafe = (why: string) => sourceError("file", `The archive contains an unsafe path ${quoteName(raw)}: ${why}`);
  if (Buffer.byteLength(raw, "utf8") > maxPathBytes) {
    throw sourceError("file", `The archive contains a path longer than ${maxPathBytes} bytes: ${quoteName(raw)}`);
  }
  if (raw.includes("\0")) throw unsafe("it contains a NUL byte");
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) throw unsafe("it is absolute");
  if (raw.includes("\\")) throw unsafe("it contains a backslash");
  const segments = raw.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw unsafe(`it climbs out of the archive with ".."`);
  return segments.join("/");
}

/**
 * Resolves a symbolic link's target against the folder the link sits in and returns it relative
 * to the root; refuses absolute targets and targets that climb above the root.
 */
export function resolveLinkTarget(linkPath: string, target: string, maxPathBytes: number): string {
  const refuse = (why: string) =>
    sourceError("file", `The archive contains a link ${quoteName(linkPath)} -> ${quoteName(target)} that ${why}`);
  if (target === "" || Buffer.byteLength(target, "utf8") > maxPathBytes || target.includes("\0")) {
    throw refuse("has an empty, too long or malformed target");
  }
  if (target.startsWith("/") || /^[A-Za-z]:/.test(target) || target.includes("\\")) throw refuse("points to an absolute path");
  const resolved = linkPath.split("/").slice(0, -1);
  for (const segment of target.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (resolved.length === 0) throw refuse("points outside the archive");
      resolved.pop();
    } else {
      resolved.push(segment);
    }
  }
  return resolved.join("/");
}

/** When a folder holds exactly one entry and it is a folder (GitHub-style archives), returns that one. */
export async function unwrapSingleFolder(dir: string): Promise<string> {
  const names = await readdir(dir);
  if (names.length !== 1) return dir;
  const only = path.join(dir, names[0]!);
  return (await lstat(only)).isDirectory() ? only : dir;
}

export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/**
 * Walks a tree without following links and refuses anything but folders, regular files and
 * symbolic links that resolve (on disk, through any chain of links) to an existing entry inside
 * the root. Code read from the tree afterwards (package.json, the build context) then can never
 * reach a file of the host.
 */
export async function assertTreeIsSafe(root: string, field: string): Promise<void> {
  const realRoot = await realpath(root);
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const shown = quoteName(path.relative(root, full));
      if (entry.isDirectory()) {
        pending.push(full);
      } else if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = await realpath(full);
        } catch {
          throw sourceError(field, `The link ${shown} points to something that does not exist; links must point to a file or folder inside the code`);
        }
        if (!isInside(realRoot, target)) throw sourceError(field, `The link ${shown} points outside the code`);
      } else if (!entry.isFile()) {
        throw sourceError(field, `${shown} is not a regular file, folder or link`);
      }
    }
  }
}
