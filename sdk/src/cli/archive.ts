import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import { create } from "tar";

/** Never uploaded, whatever the ignore files say. */
const ALWAYS_EXCLUDED = new Set([".git", "node_modules"]);
const IGNORE_FILES = [".gitignore", ".slipwayignore"];

/** The patterns of the ignore files at the root of `dir` (nested ignore files are not read). */
export async function readIgnoreRules(dir: string): Promise<Ignore> {
  const rules = ignore();
  for (const name of IGNORE_FILES) {
    try {
      rules.add(await readFile(path.join(dir, name), "utf8"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return rules;
}

/** Whether a path (relative, with `/`) stays out of the archive. */
export function isExcluded(relativePath: string, isDirectory: boolean, rules: Ignore): boolean {
  if (relativePath.split("/").some((segment) => ALWAYS_EXCLUDED.has(segment))) return true;
  return rules.ignores(isDirectory ? `${relativePath}/` : relativePath);
}

/** Every folder and file to upload, parents before children, relative to `dir`. */
export async function listArchiveEntries(dir: string, rules: Ignore): Promise<string[]> {
  const entries: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const children = await readdir(path.join(dir, relative), { withFileTypes: true });
    children.sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) {
      const childPath = relative ? `${relative}/${child.name}` : child.name;
      if (isExcluded(childPath, child.isDirectory(), rules)) continue;
      entries.push(childPath);
      if (child.isDirectory()) await walk(childPath);
    }
  };
  await walk("");
  return entries;
}

/** A tar.gz of the given entries of `dir`, in memory (the server takes at most 100 MiB). */
export async function packArchive(dir: string, entries: readonly string[], onBytes?: (packed: number) => void): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  let packed = 0;
  const stream = create({ gzip: true, cwd: dir, portable: true, noDirRecurse: true }, [...entries]);
  for await (const chunk of stream) {
    chunks.push(Buffer.from(chunk as Uint8Array));
    packed += (chunk as Uint8Array).length;
    onBytes?.(packed);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Why an archive is refused before it is sent, and what to do about it. Pure. */
export function tooBigMessage(dir: string, packedBytes: number, limitBytes: number, formatBytes: (n: number) => string): string {
  return [
    `${dir} packs to ${formatBytes(packedBytes)}, over this server's upload limit of ${formatBytes(limitBytes)}; nothing was sent.`,
    `Leave out what the build does not need with a .slipwayignore file in that folder (the syntax of .gitignore;`,
    `node_modules and .git are always left out), for example:`,
    `  dist/`,
    `  *.mp4`,
    `or build the image elsewhere and deploy it with --image.`,
  ].join("\n");
}
