import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ValidationError } from "../src/domain/errors.js";
import { fetchGitSource, gitEnvironment, gitFetchCommands, GitTimeoutError } from "../src/domain/sources/git.js";
import { gitRepositoryUrl } from "../src/domain/validation.js";
import { commit, git, startGitDaemon, type GitServer } from "./fixtures/sources/git-server.js";

let scratch: string;
let tempDir: string;
let server: GitServer;
const shas: Record<string, string> = {};
const marker = path.join(os.tmpdir(), `slipway-upload-pack-${process.pid}`);

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "sources-git-test-"));
  const base = path.join(scratch, "repos");
  const work = path.join(base, "app-work");
  mkdirSync(work, { recursive: true });
  git(work, "init", "-q", "-b", "main");
  shas.one = commit(work, "one", { "README.md": "v1\n", "src/app.js": "console.log('one')\n" });
  git(work, "tag", "-a", "v1.0.0", "-m", "first release");
  shas.two = commit(work, "two", { "README.md": "v2\n" });
  git(work, "checkout", "-q", "-b", "feature/login", shas.one);
  shas.feature = commit(work, "feature", { "login.js": "//\n" });
  git(work, "checkout", "-q", "main");
  git(base, "clone", "-q", "--bare", work, "app.git");

  const evil = path.join(base, "evil-work");
  mkdirSync(evil);
  git(evil, "init", "-q", "-b", "main");
  commit(evil, "evil", { "index.html": "<p>", "passwd": { link: "/etc/passwd" } });
  git(base, "clone", "-q", "--bare", evil, "evil.git");

  server = await startGitDaemon(base);
});
afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(marker, { force: true });
});
beforeEach(() => {
  tempDir = path.join(scratch, `temp-${Math.random().toString(36).slice(2)}`);
  mkdirSync(tempDir);
});

const options = () => ({ tempDir, allowInsecureTransports: true, timeoutMs: 30_000 });

async function refusal(input: unknown, opts = options()): Promise<ValidationError> {
  const error = await fetchGitSource(input, opts).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  expect(readdirSync(tempDir)).toEqual([]);
  return error as ValidationError;
}

describe("the repository URL rule", () => {
  const loopback = ["git://127.0.0.1:9418/app.git", "http://localhost:8080/shop/web.git", "git://[::1]/a.git", "http://127.1.2.3/x.git"];
  const neverAllowed = ["git://example.com/x.git", "http://10.1.2.3/x.git", "http://192.168.1.5/x.git", "git://127.0.0.1.example.com/x.git", "file:///srv/a.git", "--upload-pack=x", "ext::sh"];
  const secure = ["https://git.example.com/shop/web.git", "ssh://git@git.example.com/shop/web.git", "git@github.com:shop/web.git"];

  it("takes https, ssh and scp-style URLs, and refuses git:// and http:// without the flag", () => {
    const strict = gitRepositoryUrl(false);
    for (const url of secure) expect(strict.safeParse(url).success, url).toBe(true);
    for (const url of [...loopback, ...neverAllowed]) expect(strict.safeParse(url).success, url).toBe(false);
  });

  it("with SLIPWAY_ALLOW_INSECURE_GIT, also takes git:// and http:// on loopback, and nothing else", () => {
    const lab = gitRepositoryUrl(true);
    for (const url of [...secure, ...loopback]) expect(lab.safeParse(url).success, url).toBe(true);
    for (const url of neverAllowed) expect(lab.safeParse(url).success, url).toBe(false);
  });
});

describe("git argv", () => {
  it("is built as data: init, shallow fetch of the ref after --, detached checkout, rev-parse", () => {
    const config = [
      "-c", "protocol.allow=never", "-c", "protocol.https.allow=always", "-c", "protocol.ssh.allow=always",
      "-c", "protocol.file.allow=never", "-c", "core.hooksPath=/dev/null", "-c", "submodule.recurse=false", "-c", "advice.detachedHead=false",
    ];
    expect(gitFetchCommands({ repository: "https://git.example.test/shop/web.git", ref: "main" }, { dir: "/tmp/w/repo", allowInsecureTransports: false })).toEqual([
      ["git", ...config, "init", "--quiet", "--", "/tmp/w/repo"],
      ["git", ...config, "-C", "/tmp/w/repo", "fetch", "--quiet", "--depth=1", "--no-tags", "--no-recurse-submodules", "--", "https://git.example.test/shop/web.git", "main"],
      ["git", ...config, "-C", "/tmp/w/repo", "checkout", "--quiet", "--detach", "FETCH_HEAD"],
      ["git", ...config, "-C", "/tmp/w/repo", "rev-parse", "--verify", "HEAD^{commit}"],
    ]);
    const insecure = gitFetchCommands({ repository: "git://127.0.0.1:9418/a.git", ref: "main" }, { dir: "/d", allowInsecureTransports: true })[0]!;
    expect(insecure.join(" ")).toContain("-c protocol.git.allow=always -c protocol.http.allow=always");
  });

  it("runs without the caller's git variables and never prompts", () => {
    const env = gitEnvironment({ PATH: "/usr/bin", HOME: "/root", GIT_DIR: "/elsewhere", GIT_SSH_COMMAND: "evil", LC_ALL: "de_DE" }, "/tmp/checkout");
    expect(env).toEqual({
      PATH: "/usr/bin",
      HOME: "/tmp/checkout",
      LC_ALL: "C",
      GIT_TERMINAL_PROMPT: "0",
      GIT_ASKPASS: "",
      SSH_ASKPASS: "",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_SSH_COMMAND: "ssh -o BatchMode=yes",
    });
  });
});

describe("fetching a git source", () => {
  it("checks out a branch and returns its commit, without .git", async () => {
    const fetched = await fetchGitSource({ repository: server.url("app.git"), ref: "main" }, options());
    try {
      expect(fetched.commit).toBe(shas.two);
      expect(readFileSync(path.join(fetched.root, "README.md"), "utf8")).toBe("v2\n");
      expect(readdirSync(fetched.root).sort()).toEqual(["README.md", "src"]);
    } finally {
      await fetched.cleanup();
    }
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it("checks out a branch with a slash in its name", async () => {
    const fetched = await fetchGitSource({ repository: server.url("app.git"), ref: "feature/login" }, options());
    expect(fetched.commit).toBe(shas.feature);
    expect(existsSync(path.join(fetched.root, "login.js"))).toBe(true);
    await fetched.cleanup();
  });

  it("checks out an annotated tag as the commit it points to", async () => {
    const fetched = await fetchGitSource({ repository: server.url("app.git"), ref: "v1.0.0" }, options());
    expect(fetched.commit).toBe(shas.one);
    expect(readFileSync(path.join(fetched.root, "README.md"), "utf8")).toBe("v1\n");
    await fetched.cleanup();
  });

  it("checks out a full commit SHA", async () => {
    const fetched = await fetchGitSource({ repository: server.url("app.git"), ref: shas.one }, options());
    expect(fetched.commit).toBe(shas.one);
    expect(readFileSync(path.join(fetched.root, "README.md"), "utf8")).toBe("v1\n");
    await fetched.cleanup();
  });

  it("says clearly when the ref does not exist", async () => {
    const error = await refusal({ repository: server.url("app.git"), ref: "no-such-branch" });
    expect(error.message).toBe(`The ref "no-such-branch" was not found in ${server.url("app.git")}; use a branch, a tag or a full 40-character commit SHA`);
    expect(error.fieldErrors).toEqual([{ path: ["ref"], message: error.message }]);
    const short = await refusal({ repository: server.url("app.git"), ref: shas.one!.slice(0, 7) });
    expect(short.fieldErrors[0]?.path).toEqual(["ref"]);
  });

  it("says clearly when the repository can't be fetched", async () => {
    const error = await refusal({ repository: server.url("missing.git"), ref: "main" });
    expect(error.fieldErrors[0]?.path).toEqual(["repository"]);
    expect(error.message).toMatch(new RegExp(`^Could not fetch ${server.url("missing.git")} at "main"`));
  });

  it("refuses --upload-pack as ref and as repository before running git", async () => {
    const asRef = await refusal({ repository: server.url("app.git"), ref: `--upload-pack=touch ${marker}` });
    expect(asRef.message).toMatch(/^Invalid input: ref: must not start with '-'/);
    const asRepo = await refusal({ repository: `--upload-pack=touch ${marker}`, ref: "main" });
    expect(asRepo.fieldErrors[0]).toMatchObject({ path: ["repository"], message: expect.stringMatching(/must be an https:\/\//) });
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses local and exotic transports, and insecure ones unless the flag allows them on loopback", async () => {
    for (const repository of [`file://${scratch}/repos/app.git`, `${scratch}/repos/app.git`, `ext::sh -c touch% ${marker}`, "http://10.1.2.3/x.git", "git://example.com/x.git"]) {
      const error = await refusal({ repository, ref: "main" });
      expect(error.fieldErrors[0]?.path).toEqual(["repository"]);
    }
    const off = await refusal({ repository: server.url("app.git"), ref: "main" }, { ...options(), allowInsecureTransports: false });
    expect(off.fieldErrors[0]?.path).toEqual(["repository"]);
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses a checkout holding a symlink that escapes, and leaves nothing behind", async () => {
    const error = await refusal({ repository: server.url("evil.git"), ref: "main" });
    expect(error.message).toBe(`The link "passwd" points outside the code`);
  });

  it("stops a fetch that takes too long", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const error = await fetchGitSource({ repository: `git://127.0.0.1:${port}/app.git`, ref: "main" }, { ...options(), timeoutMs: 1000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GitTimeoutError);
      expect((error as Error).message).toMatch(/took longer than 1 s/);
      expect(readdirSync(tempDir)).toEqual([]);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
