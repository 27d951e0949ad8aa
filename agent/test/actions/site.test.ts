// The nginx half of a release: stage (TLS files, site checked by `nginx -t`, previous file back)
// while the container starts; apply (write, reload, wait for the new workers) once healthy — or
// put the last good file back exactly.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applySite, discardStagedSite, stageSite, type SiteInput, type StagedSite } from "../../src/actions/site.js";
import { siteContents, sitePath } from "../../src/commands/nginx.js";
import { createSystemExecutor, RecordingExecutor, type Executor } from "../../src/exec/index.js";
import { Locks } from "../../src/locks.js";

const DEP = "0f8fad5b-d9cb-469f-a165-70867728950e";
const DIR = "/etc/nginx";
const SITE = sitePath(DIR, "web");

const input = (hostPort: number, extra: Partial<SiteInput> = {}): SiteInput => ({ service: "web", deployment: DEP, domains: ["a.test"], hostPort, tls: null, ...extra });

async function staged(exec: Executor, site: SiteInput): Promise<StagedSite> {
  const r = await stageSite({ exec, nginxDir: DIR, locks: new Locks() }, site);
  if (!r.ok) throw new Error(r.error);
  return r.staged;
}

describe("stageSite with a recording executor", () => {
  it("checks the new site where nginx reads it, then puts the live one back before anything reloads", async () => {
    const previous = "# live site, byte for byte\n";
    const exec = new RecordingExecutor({ files: { [SITE]: previous } });
    const r = await stageSite({ exec, nginxDir: DIR, locks: new Locks() }, input(40000));
    const contents = siteContents({ service: "web", deployment: DEP, domains: ["a.test"], hostPort: 40000, tls: null });
    expect(r).toEqual({ ok: true, staged: { service: "web", file: { path: SITE, contents }, newTlsFiles: [], tlsInUse: [] } });
    expect(exec.calls).toEqual([
      { kind: "write", path: SITE, contents, mode: 0o644 },
      { kind: "run", argv: ["nginx", "-t", "-q", "-c", "/etc/nginx/nginx.conf"] },
      { kind: "write", path: SITE, contents: previous, mode: 0o644 },
    ]);
    expect(await exec.readFile(SITE)).toBe(previous);
  });

  it("puts certificates in place (key 0600) and removes them again when nginx -t refuses", async () => {
    const exec = new RecordingExecutor({
      respond: (argv) => (argv[1] === "-t" ? { exitCode: 1, stdout: "", stderr: "nginx: [emerg] something\nnginx: configuration file test failed" } : undefined),
    });
    const r = await stageSite({ exec, nginxDir: DIR, locks: new Locks() }, input(40001, { tls: { certificatePem: "C", privateKeyPem: "K" } }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toBe("nginx -t rejected the new configuration: nginx: [emerg] something | nginx: configuration file test failed");
    const key = exec.calls.find((c) => c.kind === "write" && c.path.endsWith(".key"));
    expect(key && key.kind === "write" && key.mode).toBe(0o600);
    expect(await exec.readFile(SITE)).toBeNull();
    expect(await exec.listDir(`${DIR}/slipway-tls`)).toEqual([]);
    expect(exec.commands().map((a) => a[1])).toEqual(["-t"]);
  });

  it("discards what it wrote for a release that does not go live", async () => {
    const exec = new RecordingExecutor();
    const s = await staged(exec, input(40002, { tls: { certificatePem: "C", privateKeyPem: "K" } }));
    expect(s.newTlsFiles).toHaveLength(2);
    await discardStagedSite({ exec, nginxDir: DIR, locks: new Locks() }, s);
    expect(await exec.listDir(`${DIR}/slipway-tls`)).toEqual([]);
    expect(await exec.readFile(SITE)).toBeNull();
  });
});

describe("applySite with a recording executor", () => {
  it("only writes and reloads: the check was done while the container started", async () => {
    const exec = new RecordingExecutor();
    const s = await staged(exec, input(40003));
    exec.calls.length = 0;
    const r = await applySite({ exec, nginxDir: DIR, locks: new Locks() }, s);
    expect(r).toEqual({ ok: true, path: SITE, oldWorkers: new Set() });
    expect(exec.calls).toEqual([
      { kind: "write", path: SITE, contents: s.file.contents, mode: 0o644 },
      { kind: "run", argv: ["nginx", "-s", "reload", "-c", "/etc/nginx/nginx.conf"] },
    ]);
  });

  it("removes a first site file again when the reload fails", async () => {
    const exec = new RecordingExecutor({ respond: (argv) => (argv[1] === "-s" ? { exitCode: 1, stdout: "", stderr: "no pid" } : undefined) });
    const r = await applySite({ exec, nginxDir: DIR, locks: new Locks() }, await staged(exec, input(40004)));
    expect(r).toEqual({ ok: false, error: "nginx reload failed: no pid" });
    expect(await exec.readFile(SITE)).toBeNull();
  });

  it("drops the service's certificates the new site no longer uses, and no other service's", async () => {
    const exec = new RecordingExecutor({ files: { [`${DIR}/slipway-tls/web.aaaaaaaaaaaaaaaa.crt`]: "old", [`${DIR}/slipway-tls/web-api.aaaaaaaaaaaaaaaa.crt`]: "other service" } });
    const r = await applySite({ exec, nginxDir: DIR, locks: new Locks() }, await staged(exec, input(40005, { tls: { certificatePem: "C", privateKeyPem: "K" } })));
    expect(r.ok).toBe(true);
    const names = (await exec.listDir(`${DIR}/slipway-tls`)).sort();
    expect(names).toHaveLength(3);
    expect(names).toContain("web-api.aaaaaaaaaaaaaaaa.crt");
    expect(names).not.toContain("web.aaaaaaaaaaaaaaaa.crt");
  });
});

// The real `nginx -t` against a throwaway nginx tree; only the reload is recorded (no nginx runs).
describe("staging and applying against the real nginx -t", () => {
  const root = mkdtempSync(join(tmpdir(), "slipway-agent-nginx-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, "conf.d"));
  writeFileSync(
    join(root, "nginx.conf"),
    `pid ${root}/nginx.pid;\nerror_log ${root}/error.log;\nevents {}\nhttp {\n    include ${root}/conf.d/*.conf;\n}\n`,
  );
  const real = createSystemExecutor();
  const reloads: string[][] = [];
  const exec: Executor = {
    ...real,
    run: async (cmd) => (cmd.argv[1] === "-s" ? (reloads.push([...cmd.argv]), { exitCode: 0, stdout: "", stderr: "" }) : real.run(cmd)),
  };
  const deps = { exec, nginxDir: root, locks: new Locks() };
  const live = join(root, "conf.d/slipway-web.conf");

  it("accepts a good site and keeps the last good file when another file breaks the config", async () => {
    const first = await stageSite(deps, input(41000));
    expect(first.ok).toBe(true);
    const applied = await applySite(deps, (first as { staged: StagedSite }).staged);
    expect(applied).toMatchObject({ ok: true, path: live });
    expect(reloads).toHaveLength(1);
    const lastGood = readFileSync(live, "utf8");

    writeFileSync(join(root, "conf.d", "broken.conf"), "server { listen 80; this is not nginx }\n");
    const second = await stageSite(deps, input(41001));
    expect(second.ok).toBe(false);
    expect(!second.ok && second.error).toMatch(/nginx -t rejected the new configuration: .*broken\.conf/);
    expect(readFileSync(live, "utf8")).toBe(lastGood);
    expect(reloads).toHaveLength(1);
    rmSync(join(root, "conf.d", "broken.conf"));
  });

  it("refuses a certificate nginx cannot load and leaves no TLS files behind", async () => {
    const before = readFileSync(live, "utf8");
    const r = await stageSite(deps, input(41002, { tls: { certificatePem: "-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----", privateKeyPem: "nope" } }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/nginx -t rejected/);
    expect(readFileSync(live, "utf8")).toBe(before);
    expect(readdirSync(join(root, "slipway-tls"))).toEqual([]);
    expect(statSync(live).mode & 0o777).toBe(0o644);
  });
});

describe("applySite waits for nginx's new workers", () => {
  it("reports the switch only after the old workers stopped accepting, and names them", async () => {
    let reloaded = false;
    let polls = 0;
    const exec = new RecordingExecutor({
      files: { "/etc/nginx/nginx.conf": "pid /run/nginx.pid;\n", "/run/nginx.pid": "100\n", "/proc/100/stat": "100 (nginx) S 1 0" },
      onSignal: (pid, signal) => {
        if (pid === 100 && signal === "SIGHUP") reloaded = true;
      },
    });
    // A fake /proc: worker 101 before the reload; after it, 101 shuts down and 102 appears a bit later.
    const listDir = exec.listDir.bind(exec);
    const readFile = exec.readFile.bind(exec);
    exec.listDir = async (p) => (p === "/proc" ? (reloaded && ++polls > 2 ? ["100", "101", "102", "self"] : ["100", "101", "self"]) : listDir(p));
    exec.readFile = async (p) => {
      if (p === "/proc/101/stat" || p === "/proc/102/stat") return `${p.split("/")[2]} (nginx) S 100 0`;
      if (p === "/proc/101/cmdline") return reloaded && polls > 2 ? "nginx: worker process is shutting down\0" : "nginx: worker process\0";
      if (p === "/proc/102/cmdline") return "nginx: worker process\0";
      return readFile(p);
    };
    const r = await applySite({ exec, nginxDir: DIR, locks: new Locks() }, await staged(exec, input(40010)));
    expect(r).toMatchObject({ ok: true, oldWorkers: new Set([101]) });
    expect(polls).toBeGreaterThan(2);
    // The reload is a SIGHUP to the master: no `nginx -s reload` parsing the configuration again.
    expect(exec.calls.filter((c) => c.kind === "signal")).toEqual([{ kind: "signal", pid: 100, signal: "SIGHUP" }]);
    expect(exec.commands().map((argv) => argv[1])).toEqual(["-t"]);
  });

  it("reads the master's children from /proc/<pid>/task/<pid>/children when the kernel lists them", async () => {
    let reloaded = false;
    const exec = new RecordingExecutor({
      files: { "/etc/nginx/nginx.conf": "pid /run/nginx.pid;\n", "/run/nginx.pid": "100\n", "/proc/100/stat": "100 (nginx) S 1 0" },
      onSignal: () => void (reloaded = true),
    });
    const readFile = exec.readFile.bind(exec);
    const listDir = exec.listDir.bind(exec);
    exec.listDir = async (p) => {
      if (p === "/proc") throw new Error("no /proc scan needed");
      return listDir(p);
    };
    exec.readFile = async (p) => {
      if (p === "/proc/100/task/100/children") return reloaded ? "101 102 " : "101 ";
      if (p === "/proc/101/cmdline") return reloaded ? "nginx: worker process is shutting down\0" : "nginx: worker process\0";
      if (p === "/proc/102/cmdline") return "nginx: worker process\0";
      return readFile(p);
    };
    const r = await applySite({ exec, nginxDir: DIR, locks: new Locks() }, await staged(new RecordingExecutor(), input(40011)));
    expect(r).toMatchObject({ ok: true, oldWorkers: new Set([101]) });
  });
});
