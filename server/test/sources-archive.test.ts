import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ValidationError } from "../src/domain/errors.js";
import { DEFAULT_ARCHIVE_LIMITS, detectArchiveKind, extractArchive, type ArchiveUpload } from "../src/domain/sources/archive.js";
import { normalizeEntryPath, resolveLinkTarget } from "../src/domain/sources/tree.js";
import { tarGz, zipBuffer } from "./fixtures/sources/archives.js";

let scratch: string;
let tempDir: string;

beforeEach(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "sources-archive-test-"));
  tempDir = path.join(scratch, "temp");
  mkdirSync(tempDir);
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const asFile = (bytes: Buffer, name = "code.tar.gz") => new File([new Uint8Array(bytes)], name);
const asStream = (bytes: Buffer, filename = "code.tar.gz"): ArchiveUpload => ({ stream: Readable.from([bytes]), filename });

/** Expects a refusal with a ValidationError whose message matches, and nothing left on disk. */
async function expectRefused(upload: ArchiveUpload, message: RegExp, limits = {}) {
  const error = await extractArchive(upload, { tempDir, limits }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).message).toMatch(message);
  expect((error as ValidationError).fieldErrors[0]?.path).toEqual(["file"]);
  expect(readdirSync(tempDir)).toEqual([]);
}

const listTree = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)) + (d.isDirectory() ? "/" : d.isSymbolicLink() ? "@" : ""))
    .sort();

describe("archive limits and defaults", () => {
  it("has the documented defaults", () => {
    expect(DEFAULT_ARCHIVE_LIMITS).toEqual({
      maxCompressedBytes: 100 * 1024 * 1024,
      maxUncompressedBytes: 500 * 1024 * 1024,
      maxEntries: 20_000,
      maxPathBytes: 1024,
    });
  });

  it("detects the type by magic bytes", () => {
    expect(detectArchiveKind(tarGz([{ path: "a", body: "x" }]))).toBe("tar.gz");
    expect(detectArchiveKind(zipBuffer([{ name: "a", body: "x" }]))).toBe("zip");
    expect(detectArchiveKind(Buffer.from("hello world"))).toBeNull();
  });
});

describe("extracting good archives", () => {
  it("unpacks a tar.gz from a File, unwraps a single top-level folder and reports the digest", async () => {
    const bytes = tarGz([
      { path: "app-main/", type: "Directory" },
      { path: "app-main/package.json", body: "{}" },
      { path: "app-main/bin/run", body: "#!/bin/sh\n", mode: 0o755 },
      { path: "app-main/docs/link", type: "SymbolicLink", linkpath: "../package.json" },
      { path: "app-main/copy.json", type: "Link", linkpath: "app-main/package.json" },
    ]);
    const result = await extractArchive(asFile(bytes, "whatever.bin"), { tempDir });
    try {
      expect(result.kind).toBe("tar.gz");
      expect(path.basename(result.root)).toBe("app-main");
      expect(listTree(result.root)).toEqual(["bin/", "bin/run", "copy.json", "docs/", "docs/link@", "package.json"]);
      expect(readlinkSync(path.join(result.root, "docs/link"))).toBe("../package.json");
      expect(readFileSync(path.join(result.root, "copy.json"), "utf8")).toBe("{}");
      expect(result.digest).toBe(`sha256:${createHash("sha256").update(bytes).digest("hex")}`);
      expect(result.compressedBytes).toBe(bytes.length);
      expect(result.uncompressedBytes).toBe(2 + 10 + 2);
      expect(result.entries).toBe(5);
    } finally {
      await result.cleanup();
    }
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it("unpacks a zip made by the zip tool from a stream, keeping links that stay inside", async () => {
    const src = path.join(scratch, "src");
    mkdirSync(path.join(src, "site", "css"), { recursive: true });
    writeFileSync(path.join(src, "site", "index.html"), "<h1>hi</h1>");
    writeFileSync(path.join(src, "site", "css", "main.css"), "h1{}");
    symlinkSync("css/main.css", path.join(src, "site", "style.css"));
    writeFileSync(path.join(src, "README"), "top");
    execFileSync("zip", ["-q", "-r", "-y", path.join(scratch, "code.zip"), "site", "README"], { cwd: src });
    const result = await extractArchive(asStream(readFileSync(path.join(scratch, "code.zip")), "code.zip"), { tempDir });
    try {
      expect(result.kind).toBe("zip");
      // two top-level entries: nothing to unwrap
      expect(listTree(result.root)).toEqual(["README", "site/", "site/css/", "site/css/main.css", "site/index.html", "site/style.css@"]);
      expect(readFileSync(path.join(result.root, "site/style.css"), "utf8")).toBe("h1{}");
    } finally {
      await result.cleanup();
    }
  });

  it("unpacks what real tools make: git archive (pax global header) and GNU tar with ./ and hard links", async () => {
    const repo = path.join(scratch, "repo");
    mkdirSync(repo);
    const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" };
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, env });
    git("init", "-q", "-b", "main");
    writeFileSync(path.join(repo, "index.html"), "<p>hi</p>");
    git("add", "-A");
    git("commit", "-q", "-m", "one");
    const gitArchive = git("archive", "--format=tar.gz", "--prefix=site-main/", "HEAD");
    const fromGit = await extractArchive(asFile(gitArchive, "site-main.tar.gz"), { tempDir });
    expect(path.basename(fromGit.root)).toBe("site-main");
    expect(listTree(fromGit.root)).toEqual(["index.html"]);
    await fromGit.cleanup();

    const src = path.join(scratch, "src");
    mkdirSync(src);
    writeFileSync(path.join(src, "a.txt"), "same");
    execFileSync("ln", [path.join(src, "a.txt"), path.join(src, "b.txt")]);
    const tgz = path.join(scratch, "dot.tgz");
    execFileSync("tar", ["-czf", tgz, "-C", src, "."]);
    expect(execFileSync("tar", ["-tvzf", tgz], { encoding: "utf8" })).toMatch(/link to/);
    const fromTar = await extractArchive(asStream(readFileSync(tgz)), { tempDir });
    expect(listTree(fromTar.root)).toEqual(["a.txt", "b.txt"]);
    expect(readFileSync(path.join(fromTar.root, "b.txt"), "utf8")).toBe("same");
    await fromTar.cleanup();
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it("skips __MACOSX folders in zips", async () => {
    const bytes = zipBuffer([
      { name: "site/index.html", body: "<p>" },
      { name: "__MACOSX/site/._index.html", body: "junk" },
    ]);
    const result = await extractArchive(asFile(bytes, "site.zip"), { tempDir });
    expect(listTree(result.root)).toEqual(["index.html"]);
    await result.cleanup();
  });
});

describe("refusing hostile archives", () => {
  it("refuses zip-slip (../evil) in tar.gz and zip, writing nothing outside", async () => {
    await expectRefused(asFile(tarGz([{ path: "ok.txt", body: "ok" }, { path: "../evil", body: "pwned" }])), /unsafe path "\.\.\/evil": it climbs out/);
    await expectRefused(asFile(tarGz([{ path: "a/../../evil", body: "pwned" }])), /climbs out of the archive/);
    await expectRefused(asFile(zipBuffer([{ name: "ok.txt", body: "ok" }, { name: "../evil", body: "pwned" }]), "x.zip"), /unsafe path "\.\.\/evil": it climbs out/);
    expect(existsSync(path.join(scratch, "evil"))).toBe(false);
    expect(existsSync(path.join(tempDir, "..", "evil"))).toBe(false);
  });

  it("refuses absolute paths", async () => {
    await expectRefused(asFile(tarGz([{ path: "/tmp/slipway-abs-test", body: "x" }])), /unsafe path "\/tmp\/slipway-abs-test": it is absolute/);
    await expectRefused(asFile(zipBuffer([{ name: "/tmp/slipway-abs-test", body: "x" }]), "x.zip"), /it is absolute/);
    expect(existsSync("/tmp/slipway-abs-test")).toBe(false);
  });

  it("refuses symlinks that point outside the root", async () => {
    await expectRefused(asFile(tarGz([{ path: "link", type: "SymbolicLink", linkpath: "/etc/passwd" }])), /link "link" -> "\/etc\/passwd" that points to an absolute path/);
    await expectRefused(asFile(tarGz([{ path: "a/link", type: "SymbolicLink", linkpath: "../../x" }])), /link "a\/link" -> "\.\.\/\.\.\/x" that points outside the archive/);
    await expectRefused(asFile(zipBuffer([{ name: "link", body: "/etc/passwd", unixMode: 0o120777 }]), "x.zip"), /points to an absolute path/);
    await expectRefused(asFile(zipBuffer([{ name: "a/link", body: "../../x", unixMode: 0o120777 }]), "x.zip"), /points outside the archive/);
  });

  it("refuses a chain of links that escapes although each looks inside", async () => {
    // a/up -> .. is the root; b -> a/up/.. reads as "a" but really is the root's parent
    await expectRefused(
      asFile(tarGz([
        { path: "keep.txt", body: "k" },
        { path: "a/up", type: "SymbolicLink", linkpath: ".." },
        { path: "b", type: "SymbolicLink", linkpath: "a/up/.." },
      ])),
      /The link "b" points outside the code/,
    );
  });

  it("refuses writing through a link and dangling links", async () => {
    await expectRefused(
      asFile(tarGz([{ path: "dir", type: "SymbolicLink", linkpath: "." }, { path: "dir/file", body: "x" }])),
      /"dir\/file" inside "dir", which is not a folder/,
    );
    await expectRefused(asFile(tarGz([{ path: "f", body: "x" }, { path: "gone", type: "SymbolicLink", linkpath: "missing" }])), /"gone" points to something that does not exist/);
  });

  it("refuses hard links that escape or don't name a file of the archive", async () => {
    await expectRefused(asFile(tarGz([{ path: "f", body: "x" }, { path: "h", type: "Link", linkpath: "../../etc/passwd" }])), /hard link "h" -> "\.\.\/\.\.\/etc\/passwd" that points outside/);
    await expectRefused(asFile(tarGz([{ path: "f", body: "x" }, { path: "h", type: "Link", linkpath: "/etc/passwd" }])), /hard link "h" -> "\/etc\/passwd" that points outside/);
    await expectRefused(asFile(tarGz([{ path: "f", body: "x" }, { path: "h", type: "Link", linkpath: "nope" }])), /does not point to a file of the archive/);
  });

  it("refuses device, FIFO and socket entries", async () => {
    await expectRefused(asFile(tarGz([{ path: "null", type: "CharacterDevice" }])), /"null", which is a device file/);
    await expectRefused(asFile(tarGz([{ path: "disk", type: "BlockDevice" }])), /"disk", which is a device file/);
    await expectRefused(asFile(tarGz([{ path: "pipe", type: "FIFO" }])), /"pipe", which is a FIFO/);
    await expectRefused(asFile(zipBuffer([{ name: "null", unixMode: 0o020666 }]), "x.zip"), /which is a device file/);
    await expectRefused(asFile(zipBuffer([{ name: "pipe", unixMode: 0o010644 }]), "x.zip"), /which is a FIFO/);
    await expectRefused(asFile(zipBuffer([{ name: "sock", unixMode: 0o140755 }]), "x.zip"), /which is a socket/);
  });

  it("refuses zip bombs: a high-ratio entry over the unpacked limit", async () => {
    const zeros = Buffer.alloc(4 * 1024 * 1024);
    const limits = { maxUncompressedBytes: 1024 * 1024 };
    const zip = zipBuffer([{ name: "bomb.bin", body: zeros }]);
    expect(zip.length).toBeLessThan(10 * 1024);
    await expectRefused(asFile(zip, "x.zip"), /unpacks to more than the limit of 1 MiB/, limits);
    await expectRefused(asFile(tarGz([{ path: "bomb.bin", body: zeros }])), /unpacks to more than the limit of 1 MiB/, limits);
  });

  it("refuses a zip entry inflating past the size its header claims", async () => {
    const zip = zipBuffer([{ name: "bomb.bin", body: Buffer.alloc(4 * 1024 * 1024), declaredSize: 10 }]);
    await expectRefused(asFile(zip, "x.zip"), /entry "bomb\.bin" is damaged: too many bytes in the stream/, { maxUncompressedBytes: 1024 * 1024 });
  });

  it("refuses many small files adding up over the unpacked limit", async () => {
    const entries = Array.from({ length: 20 }, (_, i) => ({ path: `f${i}`, body: Buffer.alloc(100 * 1024) }));
    await expectRefused(asFile(tarGz(entries)), /unpacks to more than the limit of 1 MiB/, { maxUncompressedBytes: 1024 * 1024 });
  });

  it("refuses too many entries", async () => {
    const entries = Array.from({ length: 11 }, (_, i) => ({ path: `f${i}`, body: "x" }));
    await expectRefused(asFile(tarGz(entries)), /more than the limit of 10 entries/, { maxEntries: 10 });
    await expectRefused(asFile(zipBuffer(entries.map((e) => ({ name: e.path, body: e.body }))), "x.zip"), /more than the limit of 10 entries/, { maxEntries: 10 });
  });

  it("refuses paths over the length limit", async () => {
    await expectRefused(asFile(tarGz([{ path: `${"d/".repeat(40)}file`, body: "x" }])), /path longer than 64 bytes/, { maxPathBytes: 64 });
  });

  it("refuses an upload over the compressed limit, from a File and from a stream", async () => {
    const big = tarGz(Array.from({ length: 5 }, (_, i) => ({ path: `r${i}`, body: createHash("sha512").update(String(i)).digest() })));
    const limits = { maxCompressedBytes: 200 };
    expect(big.length).toBeGreaterThan(200);
    await expectRefused(asFile(big), /The upload is larger than the limit of 200 bytes/, limits);
    await expectRefused(asStream(big), /The upload is larger than the limit of 200 bytes/, limits);
  });

  it("refuses what is not an archive, or a damaged one", async () => {
    await expectRefused(asFile(Buffer.from("hello, I am text"), "notes.tar.gz"), /The upload "notes.tar.gz" is not a tar.gz or zip archive/);
    await expectRefused(asFile(gzipSync(Buffer.from("just some gzipped text, not a tar"))), /not a valid tar.gz archive/);
    await expectRefused(asFile(Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.alloc(100)]), "x.zip"), /not a valid zip archive/);
    await expectRefused(asFile(tarGz([{ path: "a/", type: "Directory" }])), /contains no files/);
  });

  it("refuses duplicates and a file used as a folder", async () => {
    await expectRefused(asFile(tarGz([{ path: "a", body: "1" }, { path: "a", body: "2" }])), /"a" more than once/);
    await expectRefused(asFile(tarGz([{ path: "a", body: "1" }, { path: "a/b", body: "2" }])), /inside "a", which is not a folder/);
  });
});

describe("path rules", () => {
  it("normalizes safe paths and refuses unsafe ones", () => {
    expect(normalizeEntryPath("./a//b/./c", 1024)).toBe("a/b/c");
    expect(normalizeEntryPath("./", 1024)).toBe("");
    expect(() => normalizeEntryPath("C:/x", 1024)).toThrow(/absolute/);
    expect(() => normalizeEntryPath("a\\..\\b", 1024)).toThrow(/backslash/);
    expect(() => normalizeEntryPath("a/\0b", 1024)).toThrow(/NUL/);
  });

  it("resolves link targets relative to the link's folder", () => {
    expect(resolveLinkTarget("a/b/link", "../c", 1024)).toBe("a/c");
    expect(resolveLinkTarget("link", "./x/y", 1024)).toBe("x/y");
    expect(() => resolveLinkTarget("a/link", "../..", 1024)).toThrow(/points outside/);
  });
});
