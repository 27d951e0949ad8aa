// The nginx switch: write, `nginx -t`, reload — or put the last good file back exactly.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { switchSite } from "../../src/actions/switch-site.js";
import { siteContents, sitePath } from "../../src/commands/nginx.js";
import { createSystemExecutor, RecordingExecutor, type Executor } from "../../src/exec/index.js";
import { Locks } from "../../src/locks.js";

const DEP = "0f8fad5b-d9cb-469f-a165-70867728950e";
const DIR = "/etc/nginx";

describe("switchSite with a recording executor", () => {
  it("writes the site, tests, then reloads", async () => {
    const exec = new RecordingExecutor();
    const r = await switchSite({ exec, nginxDir: DIR, locks: new Locks() }, { service: "web", deployment: DEP, domains: ["a.test"], hostPort: 40000, tls: null });
    expect(r).toEqual({ ok: true, path: "/etc/nginx/conf.d/slipway-web.conf" });
    expect(exec.calls).toEqual([
      { kind: "write", path: "/etc/nginx/conf.d/slipway-web.conf", contents: siteContents({ service: "web", deployment: DEP, domains: ["a.test"], hostPort: 40000, tls: null }), mode: 0o644 },
      { kind: "run", argv: ["nginx", "-t", "-q", "-c", "/etc/nginx/nginx.conf"] },
      { kind: "run", argv: ["nginx", "-s", "reload", "-c", "/etc/nginx/nginx.conf"] },
    ]);
  });

  it("puts the previous file back exactly and never reloads when nginx -t fails", async () => {
    const previous = "# last good, byte for byte\nserver { listen 80; }\n";
    const exec = new RecordingExecutor({
      files: { [sitePath(DIR, "web")]: previous },
      respond: (argv) => (argv[1] === "-t" ? { exitCode: 1, stdout: "", stderr: "nginx: [emerg] something\nnginx: configuration file test failed" } : undefined),
    });
    const r = await switchSite({ exec, nginxDir: DIR, locks: new Locks() }, { service: "web", deployment: DEP, domains: ["a.test"], hostPort: 40001, tls: { certificatePem: "C", privateKeyPem: "K" } });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^nginx -t rejected the new configuration: nginx: \[emerg\] something/);
    expect(await exec.readFile(sitePath(DIR, "web"))).toBe(previous);
    expect(exec.commands().map((a) => a[1])).toEqual(["-t"]);
    // The new certificate files went away again.
    expect(await exec.listDir(`${DIR}/slipway-tls`)).toEqual([]);
  });

  it("removes a first site file again when reload fails", async () => {
    const exec = new RecordingExecutor({ respond: (argv) => (argv[1] === "-s" ? { exitCode: 1, stdout: "", stderr: "no pid" } : undefined) });
    const r = await switchSite({ exec, nginxDir: DIR, locks: new Locks() }, { service: "web", deployment: DEP, domains: [], hostPort: 40002, tls: null });
    expect(r).toEqual({ ok: false, error: "nginx reload failed: no pid" });
    expect(await exec.readFile(sitePath(DIR, "web"))).toBeNull();
  });

  it("writes the key 0600 and drops the service's certificates the new site no longer uses", async () => {
    const exec = new RecordingExecutor({ files: { [`${DIR}/slipway-tls/web.aaaaaaaaaaaaaaaa.crt`]: "old", [`${DIR}/slipway-tls/web-api.aaaaaaaaaaaaaaaa.crt`]: "other service" } });
    const r = await switchSite({ exec, nginxDir: DIR, locks: new Locks() }, { service: "web", deployment: DEP, domains: [], hostPort: 40003, tls: { certificatePem: "C", privateKeyPem: "K" } });
    expect(r.ok).toBe(true);
    const names = (await exec.listDir(`${DIR}/slipway-tls`)).sort();
    expect(names).toHaveLength(3);
    expect(names).toContain("web-api.aaaaaaaaaaaaaaaa.crt");
    const key = exec.calls.find((c) => c.kind === "write" && c.path.endsWith(".key"));
    expect(key && key.kind === "write" && key.mode).toBe(0o600);
  });
});

// The real `nginx -t` against a throwaway nginx tree; only the reload is recorded (no nginx runs).
describe("switchSite against the real nginx -t", () => {
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

  it("accepts a good site and keeps the last good file when another file breaks the config", async () => {
    const first = await switchSite(deps, { service: "web", deployment: DEP, domains: ["a.test"], hostPort: 41000, tls: null });
    expect(first).toEqual({ ok: true, path: join(root, "conf.d/slipway-web.conf") });
    expect(reloads).toHaveLength(1);
    const lastGood = readFileSync(first.ok ? first.path : "", "utf8");

    writeFileSync(join(root, "conf.d", "broken.conf"), "server { listen 80; this is not nginx }\n");
    const second = await switchSite(deps, { service: "web", deployment: DEP, domains: ["a.test"], hostPort: 41001, tls: null });
    expect(second.ok).toBe(false);
    expect(!second.ok && second.error).toMatch(/nginx -t rejected the new configuration: .*broken\.conf/);
    expect(readFileSync(join(root, "conf.d/slipway-web.conf"), "utf8")).toBe(lastGood);
    expect(reloads).toHaveLength(1);
    rmSync(join(root, "conf.d", "broken.conf"));
  });

  it("refuses a certificate nginx cannot load and leaves no TLS files behind", async () => {
    const before = readFileSync(join(root, "conf.d/slipway-web.conf"), "utf8");
    const r = await switchSite(deps, {
      service: "web",
      deployment: DEP,
      domains: ["a.test"],
      hostPort: 41002,
      tls: { certificatePem: "-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----", privateKeyPem: "nope" },
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/nginx -t rejected/);
    expect(readFileSync(join(root, "conf.d/slipway-web.conf"), "utf8")).toBe(before);
    expect(readdirSync(join(root, "slipway-tls"))).toEqual([]);
    const mode = statSync(join(root, "conf.d/slipway-web.conf")).mode & 0o777;
    expect(mode).toBe(0o644);
  });
});

describe("switchSite waits for nginx's new workers", () => {
  it("reports the switch only after the old workers stopped accepting", async () => {
    let reloaded = false;
    let polls = 0;
    const exec = new RecordingExecutor({
      files: { "/etc/nginx/nginx.conf": "pid /run/nginx.pid;\n", "/run/nginx.pid": "100\n", "/proc/100/stat": "100 (nginx) S 1 0" },
      respond: (argv) => {
        if (argv[1] === "-s") reloaded = true;
        return undefined;
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
    const r = await switchSite({ exec, nginxDir: DIR, locks: new Locks() }, { service: "web", deployment: DEP, domains: [], hostPort: 40010, tls: null });
    expect(r.ok).toBe(true);
    expect(polls).toBeGreaterThan(2);
  });
});
