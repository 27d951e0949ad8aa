import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buffer } from "node:stream/consumers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { globToRegExp, isIgnored, listContextEntries, packBuildContext, parseDockerignore } from "../src/domain/sources/build-context.js";

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "sources-context-test-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

function makeTree(root: string) {
  mkdirSync(path.join(root, "src", "lib"), { recursive: true });
  mkdirSync(path.join(root, "empty"));
  writeFileSync(path.join(root, "package.json"), '{"main":"src/index.js"}');
  writeFileSync(path.join(root, "src", "index.js"), "console.log(1)\n");
  writeFileSync(path.join(root, "src", "lib", "util.js"), "export {}\n");
  writeFileSync(path.join(root, "run.sh"), "#!/bin/sh\n");
  chmodSync(path.join(root, "run.sh"), 0o775);
  symlinkSync("src/index.js", path.join(root, "entry.js"));
  const deep = path.join(root, "a".repeat(60), "b".repeat(60));
  mkdirSync(deep, { recursive: true });
  writeFileSync(path.join(deep, "long-name.txt"), "long");
}

const tarList = (file: string) => execFileSync("tar", ["-tvf", file, "--numeric-owner"], { encoding: "utf8" }).trim().split("\n");

describe("build context", () => {
  it("is deterministic: the same code gives identical bytes, whatever the disk's times and modes", async () => {
    const one = path.join(scratch, "one");
    mkdirSync(one);
    makeTree(one);
    const two = path.join(scratch, "two");
    cpSync(one, two, { recursive: true, verbatimSymlinks: true });
    utimesSync(path.join(two, "package.json"), new Date(2011, 1, 1), new Date(2011, 1, 1));
    chmodSync(path.join(two, "src", "index.js"), 0o600);

    const a = await packBuildContext(one);
    const bytesA = await buffer(a.stream());
    const bytesAgain = await buffer(a.stream());
    const bytesB = await buffer((await packBuildContext(two)).stream());
    expect(bytesA.length).toBe(a.size);
    expect(bytesAgain.equals(bytesA)).toBe(true);
    expect(bytesB.equals(bytesA)).toBe(true);
  });

  it("lists sorted entries with fixed owner, times and modes that tar can read", async () => {
    const root = path.join(scratch, "code");
    mkdirSync(root);
    makeTree(root);
    const context = await packBuildContext(root, { extraFiles: [{ path: "Dockerfile", contents: "FROM scratch\n" }] });
    const file = path.join(scratch, "context.tar");
    writeFileSync(file, await buffer(context.stream()));
    const long = `${"a".repeat(60)}/${"b".repeat(60)}`;
    expect(tarList(file)).toEqual([
      "-rw-r--r-- 0/0              13 2000-01-01 00:00 Dockerfile",
      `drwxr-xr-x 0/0               0 2000-01-01 00:00 ${"a".repeat(60)}/`,
      `drwxr-xr-x 0/0               0 2000-01-01 00:00 ${long}`, // a pax path: GNU tar shows it without the slash
      `-rw-r--r-- 0/0               4 2000-01-01 00:00 ${long}/long-name.txt`,
      "drwxr-xr-x 0/0               0 2000-01-01 00:00 empty/",
      "lrwxrwxrwx 0/0               0 2000-01-01 00:00 entry.js -> src/index.js",
      "-rw-r--r-- 0/0              23 2000-01-01 00:00 package.json",
      "-rwxr-xr-x 0/0              10 2000-01-01 00:00 run.sh",
      "drwxr-xr-x 0/0               0 2000-01-01 00:00 src/",
      "-rw-r--r-- 0/0              15 2000-01-01 00:00 src/index.js",
      "drwxr-xr-x 0/0               0 2000-01-01 00:00 src/lib/",
      "-rw-r--r-- 0/0              10 2000-01-01 00:00 src/lib/util.js",
    ].map((line) => line.replace(/\s+/g, " ")).map((line) => expect.stringMatching(new RegExp(`^${escape(line).replace(/ /g, "\\s+")}$`))));
    const out = path.join(scratch, "out");
    mkdirSync(out);
    execFileSync("tar", ["-xf", file, "-C", out]);
    expect(execFileSync("cat", [path.join(out, "entry.js")], { encoding: "utf8" })).toBe("console.log(1)\n");
  });

  it("honours .dockerignore: globs, folders and exceptions; Dockerfile and .dockerignore are always sent", async () => {
    const root = path.join(scratch, "code");
    mkdirSync(root);
    makeTree(root);
    mkdirSync(path.join(root, "node_modules", "x"), { recursive: true });
    writeFileSync(path.join(root, "node_modules", "x", "i.js"), "");
    writeFileSync(path.join(root, "notes.md"), "");
    writeFileSync(path.join(root, "README.md"), "");
    writeFileSync(path.join(root, "Dockerfile"), "FROM scratch\n");
    writeFileSync(path.join(root, ".dockerignore"), "# deps\nnode_modules\n*.md\n!README.md\n**/util.js\nDockerfile\n/empty/\n.dockerignore\n");
    const paths = (await listContextEntries(root)).map((e) => e.path);
    expect(paths).toEqual([
      ".dockerignore",
      "Dockerfile",
      "README.md",
      "a".repeat(60),
      `${"a".repeat(60)}/${"b".repeat(60)}`,
      `${"a".repeat(60)}/${"b".repeat(60)}/long-name.txt`,
      "entry.js",
      "package.json",
      "run.sh",
      "src",
      "src/index.js",
      "src/lib",
    ]);
  });

  it("applies default ignores only when the code has no .dockerignore", async () => {
    const root = path.join(scratch, "code");
    mkdirSync(path.join(root, "node_modules", "x"), { recursive: true });
    writeFileSync(path.join(root, "node_modules", "x", "i.js"), "");
    writeFileSync(path.join(root, "index.js"), "");
    expect((await listContextEntries(root, { defaultIgnore: ["node_modules"] })).map((e) => e.path)).toEqual(["index.js"]);
    writeFileSync(path.join(root, ".dockerignore"), "# keep everything\n");
    expect((await listContextEntries(root, { defaultIgnore: ["node_modules"] })).map((e) => e.path)).toEqual([
      ".dockerignore", "index.js", "node_modules", "node_modules/x", "node_modules/x/i.js",
    ]);
  });

  it("matches .dockerignore patterns the way docker does for the common cases", () => {
    expect(globToRegExp("*.md").test("a.md")).toBe(true);
    expect(globToRegExp("*.md").test("docs/a.md")).toBe(false);
    expect(globToRegExp("**/*.md").test("docs/x/a.md")).toBe(true);
    expect(globToRegExp("**/*.md").test("a.md")).toBe(true);
    expect(globToRegExp("src/?.js").test("src/a.js")).toBe(true);
    expect(globToRegExp("[a-c].txt").test("b.txt")).toBe(true);
    expect(globToRegExp("[!a-c].txt").test("b.txt")).toBe(false);
    const rules = parseDockerignore("docs\n!docs/keep.md\n");
    expect(isIgnored(rules, "docs/other.md")).toBe(true);
    expect(isIgnored(rules, "docs/keep.md")).toBe(false);
    expect(isIgnored(rules, "src/docs.md")).toBe(false);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
