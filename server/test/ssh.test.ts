// The SSH transport against a real lab host (network namespace with its own sshd, nginx, dockerd).
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Duplex } from "node:stream";
import { Lab } from "@slipway/lab/hosts";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HostKeyMismatchError, generateSshIdentity, identityFromPrivateKey, sha256Fingerprint, SshCommandTimeoutError, SshConnection, SshPool, type SshIdentity,
  type SshTarget,
} from "../src/integrations/ssh/index.js";

const BASE_IMAGE = { id: "debian-12-x64", archivePath: null };
const name = `ssh-t-${randomBytes(3).toString("hex")}`;
const lab = new Lab({ instance: "srv-ssh" });
let dataDir: string;
let identity: SshIdentity;
let address: string;
let pinned: string;
const pool = new SshPool(() => identity);

function target(overrides: Partial<SshTarget> = {}): SshTarget {
  return { host: address, port: 22, username: "root", pinnedFingerprint: pinned, ...overrides };
}

/** Fingerprints of the host key files the lab generated for the host. */
function hostKeyFingerprints(): string[] {
  const dir = path.join(lab.host(name).fs, "etc", "ssh");
  return readdirSync(dir)
    .filter((file) => file.startsWith("ssh_host_") && file.endsWith(".pub"))
    .map((file) => {
      const parsed = ssh2.utils.parseKey(readFileSync(path.join(dir, file), "utf8"));
      if (parsed instanceof Error) throw parsed;
      return sha256Fingerprint((Array.isArray(parsed) ? parsed[0]! : parsed).getPublicSSH());
    });
}

describe("SSH to a lab host", { timeout: 120_000 }, () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "slipway-ssh-"));
    identity = generateSshIdentity();
    await lab.teardown();
    address = await boot();
  }, 180_000);

  afterAll(async () => {
    await pool.close();
    await lab.teardown();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("generates an ed25519 key whose authorized_keys line is derived from the private key", () => {
    expect(identity.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ slipway-control-plane$/);
    expect(identityFromPrivateKey(identity.privateKey)).toEqual(identity);
    expect(() => identityFromPrivateKey("not a key")).toThrow(/unreadable/);
  });

  it("pins the host key on first contact, before anything runs", async () => {
    const recorded: string[] = [];
    const connection = await SshConnection.open(
      target({ pinnedFingerprint: null, onFirstContact: async (fingerprint) => void recorded.push(fingerprint) }),
      identity,
    );
    try {
      expect(recorded).toEqual([connection.hostKeyFingerprint]);
      expect(connection.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(hostKeyFingerprints()).toContain(connection.hostKeyFingerprint);
      pinned = connection.hostKeyFingerprint;
    } finally {
      connection.close();
    }
  });

  it("refuses a host whose first-contact callback fails", async () => {
    const refusing = SshConnection.open(
      target({ pinnedFingerprint: null, onFirstContact: async () => Promise.reject(new Error("already pinned elsewhere")) }),
      identity,
    );
    await expect(refusing).rejects.toThrow("already pinned elsewhere");
  });

  it("runs argv exactly, with exit codes, stderr, stdin and a timeout", async () => {
    const ssh = await pool.connection("host", target());
    const nasty = ["it's", "$(touch /tmp/pwned)", "a\nb", "-n", "", "*", '"q"'];
    const printed = await ssh.exec(["sh", "-c", 'printf "%s|" "$@"', "sh", ...nasty]);
    expect(printed).toMatchObject({ code: 0, stdout: nasty.map((a) => `${a}|`).join(""), stderr: "" });
    expect(existsSync(path.join(lab.host(name).fs, "tmp", "pwned"))).toBe(false);

    expect(await ssh.exec(["sh", "-c", "echo oops >&2; exit 7"])).toMatchObject({ code: 7, stdout: "", stderr: "oops\n" });
    expect(await ssh.exec(["cat"], { stdin: "from stdin" })).toMatchObject({ code: 0, stdout: "from stdin" });
    expect((await ssh.exec(["hostname"])).stdout.trim()).toBe(name);

    const started = Date.now();
    await expect(ssh.exec(["sleep", "30"], { timeoutMs: 500 })).rejects.toBeInstanceOf(SshCommandTimeoutError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("uploads contents and local files with exact modes, creating folders", async () => {
    const ssh = await pool.connection("host", target());
    const local = path.join(dataDir, "local.bin");
    const bytes = randomBytes(300_000);
    writeFileSync(local, bytes);
    await ssh.upload([
      { path: "/opt/slipway-test/deep/secret.json", contents: '{"a":1}\n', mode: 0o600 },
      { path: "/opt/slipway-test/bin/run", contents: "#!/bin/sh\necho ran \"$@\"\n", mode: 0o755 },
      { path: "/opt/slipway-test/blob.bin", localPath: local, mode: 0o644 },
    ]);
    const modes = await ssh.exec(["stat", "-c", "%a %s %n", "/opt/slipway-test/deep/secret.json", "/opt/slipway-test/bin/run", "/opt/slipway-test/blob.bin"]);
    expect(modes.stdout).toBe(
      `600 8 /opt/slipway-test/deep/secret.json\n755 24 /opt/slipway-test/bin/run\n644 ${bytes.length} /opt/slipway-test/blob.bin\n`,
    );
    expect((await ssh.exec(["/opt/slipway-test/bin/run", "x y"])).stdout).toBe("ran x y\n");
    expect(readFileSync(path.join(lab.host(name).fs, "opt/slipway-test/blob.bin")).equals(bytes)).toBe(true);
    // Replacing a file is one rename: no temporary file is left behind.
    await ssh.upload([{ path: "/opt/slipway-test/deep/secret.json", contents: "{}\n", mode: 0o600 }]);
    expect((await ssh.exec(["ls", "-A", "/opt/slipway-test/deep"])).stdout).toBe("secret.json\n");
    await expect(ssh.upload([{ path: "relative/path", contents: "x", mode: 0o644 }])).rejects.toThrow(/absolute/);
  });

  it("forwards a stream to a port on the host's loopback", async () => {
    const ssh = await pool.connection("host", target());
    const stream = await ssh.forward(80);
    const response = await httpOver(stream);
    expect(response).toMatch(/^HTTP\/1\.1 \d{3} /);
    expect(response.toLowerCase()).toContain("server: nginx");
    await expect(ssh.forward(1)).rejects.toThrow(/Could not reach port 1 on/);
  });

  it("destroys a forwarded stream at once, like a socket: its error, one close, and the connection stays usable", async () => {
    const ssh = await pool.connection("host", target());
    const stream = await ssh.forward(80);
    const seen: string[] = [];
    stream.on("error", (error: Error) => seen.push(`error: ${error.message}`));
    stream.on("close", () => seen.push("close"));
    stream.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    stream.destroy(new Error("given up"));
    expect(stream.destroyed).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(["error: given up", "close"]);
    // The server's own close of the channel comes later and changes nothing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toEqual(["error: given up", "close"]);
    expect(ssh.closed).toBe(false);
    expect(await httpOver(await ssh.forward(80))).toMatch(/^HTTP\/1\.1 \d{3} /);
  });

  it("keeps one connection per server and reconnects after it breaks", async () => {
    const first = await pool.connection("host", target());
    expect(await pool.connection("host", target())).toBe(first);
    const [a, b] = await Promise.all([pool.connection("other", target()), pool.connection("other", target())]);
    expect(a).toBe(b);
    expect(a).not.toBe(first);
    first.close();
    await waitFor(() => first.closed);
    const second = await pool.connection("host", target());
    expect(second).not.toBe(first);
    expect((await second.exec(["true"])).code).toBe(0);
  });

  it("says why a connection ended: closed by us, or a host that answers no keepalives (then reconnects once it answers)", async () => {
    const quick = new SshPool(() => identity, { keepaliveIntervalMs: 500, keepaliveCountMax: 2 });
    try {
      const ours = await quick.connection("host", target());
      expect(ours.endReason).toBeNull();
      quick.drop("host");
      await waitFor(() => ours.closed);
      expect(ours.endReason).toBe("closed by Slipway");

      const silent = await quick.connection("host", target());
      const ended = new Promise<void>((resolve) => silent.onClose(resolve));
      await lab.cutOff(name);
      try {
        await ended;
        expect(silent.endReason).toBe("the server answered none of 2 SSH keepalives 0.5 s apart");
      } finally {
        await lab.restore(name);
      }
      const again = await quick.connection("host", target());
      expect(again).not.toBe(silent);
      expect((await again.exec(["true"])).code).toBe(0);
    } finally {
      await quick.close();
    }
  });

  it("refuses a host whose key changed, with a clear error, and runs nothing there", async () => {
    // The same name boots a fresh host with new host keys.
    await lab.destroy(name);
    address = await boot();
    const fresh = hostKeyFingerprints();
    expect(fresh).not.toContain(pinned);

    const attempt = pool.connection("host", target()).then((ssh) => ssh.exec(["touch", "/tmp/ran-anyway"]));
    await expect(attempt).rejects.toBeInstanceOf(HostKeyMismatchError);
    await expect(attempt).rejects.toThrow(/^host key changed: expected SHA256:[A-Za-z0-9+/]{43}, got SHA256:[A-Za-z0-9+/]{43}$/);
    await expect(attempt).rejects.toThrow(`expected ${pinned}, got `);
    expect(existsSync(path.join(lab.host(name).fs, "tmp", "ran-anyway"))).toBe(false);

    // Re-pinning (an operator's decision) lets it through again.
    const repinned = await pool.connection("host", target({ pinnedFingerprint: null }));
    expect(fresh).toContain(repinned.hostKeyFingerprint);
  });
});

async function boot(): Promise<string> {
  try {
    return (await lab.boot({ name, image: BASE_IMAGE, sshPublicKeys: [identity.publicKey] })).ipv4;
  } catch {
    // A lab boot now and then loses a race with its image import; once more is enough.
    return (await lab.boot({ name, image: BASE_IMAGE, sshPublicKeys: [identity.publicKey] })).ipv4;
  }
}

function httpOver(stream: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    stream.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    stream.on("error", reject);
    stream.on("close", () => resolve(text));
    stream.on("end", () => resolve(text));
    stream.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  });
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(condition()).toBe(true);
}
