// The lab end to end, for real: droplets created through the DigitalOcean simulator over HTTP boot
// real lab hosts (network namespaces with dockerd, nginx, sshd); the Cloudflare simulator's Origin
// CA issues a certificate that host A's nginx serves; a host cut off times out; teardown leaves
// nothing. Needs root and the Debian packages of lab/scripts/install-deps.sh: without them every
// test here fails with a message saying what is missing (nothing is skipped).
// The hosts live in a lab instance of this suite's own (`lab-accept`), never in the default lab
// that other suites and `npm run lab` use: this file's teardowns only remove its own hosts.
import "reflect-metadata";
import { createHash, webcrypto } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import https from "node:https";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCloudflareSimulator, type CloudflareSimulator } from "../src/cloudflare/index.js";
import { startDigitalOceanSimulator, type DigitalOceanSimulator } from "../src/digitalocean/index.js";
import { Lab, teardownLab } from "../src/hosts/index.js";
import { generateKey, httpGet, expectedLabRules, labLeftovers, labRules, sshExec, tcpProbe, type KeyPair } from "./hosts-support.js";
import { cloudflareClient } from "./support/cloudflare-client.js";
import { digitalOceanClient } from "./support/digitalocean-client.js";
import { DROPLET_DEFAULTS, waitForAction } from "./support/digitalocean-helpers.js";

const NAMES = ["acc-a", "acc-b", "acc-c"] as const;
type Name = (typeof NAMES)[number];
const APP_HOST = "app.example.test";
/** This suite's own lab instance (its configuration derived from the name). */
const config = new Lab({ instance: "lab-accept" }).config;

let lab: Lab;
let doSim: DigitalOceanSimulator | undefined;
let cfSim: CloudflareSimulator | undefined;
let doCall: ReturnType<typeof digitalOceanClient>;
let cfCall: ReturnType<typeof cloudflareClient>;
let key: KeyPair;
const dropletIds = {} as Record<Name, number>;
const ips = {} as Record<Name, string>;

/** A droplet's address; later tests need the first one to have created the droplets. */
function ip(name: Name): string {
  const v = ips[name];
  if (!v) throw new Error(`droplet ${name} has no address: the first test did not create it`);
  return v;
}

describe("lab acceptance: DigitalOcean and Cloudflare simulators over real lab hosts", { timeout: 60_000 }, () => {
  beforeAll(async () => {
    // Throws one clear error naming what is missing (root, programs, Debian packages).
    new Lab({ config }).preflight();
    await teardownLab({ config });
    lab = new Lab({ config, log: (m) => console.log(`[lab] ${m}`) });
    await lab.setup();
    doSim = await startDigitalOceanSimulator({ provider: lab, actionDelayMs: 100 });
    cfSim = await startCloudflareSimulator();
    doCall = digitalOceanClient(doSim.url, doSim.token);
    cfCall = cloudflareClient(cfSim.url, cfSim.token);
    key = generateKey();
  }, 120_000);

  afterAll(async () => {
    await doSim?.close();
    await cfSim?.close();
    await teardownLab({ config });
  }, 120_000);

  it("creates three droplets over HTTP that answer SSH with their own Docker Engine", async () => {
    const added = await doCall("POST", "/v2/account/keys", { body: { name: "acceptance", public_key: key.publicKey } });
    expect(added.status).toBe(201);
    const sshKey = added.body.ssh_key as { id: number; fingerprint: string };
    expect(sshKey.fingerprint).toBe(md5Fingerprint(key.publicKey));

    // Two droplets in one request with the key's id, one with its fingerprint.
    const pair = await doCall("POST", "/v2/droplets", {
      body: { ...DROPLET_DEFAULTS, names: ["acc-a", "acc-b"], ssh_keys: [sshKey.id] },
    });
    const single = await doCall("POST", "/v2/droplets", {
      body: { ...DROPLET_DEFAULTS, name: "acc-c", ssh_keys: [sshKey.fingerprint] },
    });
    expect([pair.status, single.status]).toEqual([202, 202]);
    const created = [...pair.body.droplets, single.body.droplet] as { id: number; name: Name; status: string }[];
    expect(created.map((d) => [d.name, d.status])).toEqual(NAMES.map((n) => [n, "new"]));
    for (const d of created) dropletIds[d.name] = d.id;

    const actionIds = [...pair.body.links.actions, ...single.body.links.actions].map((a: { id: number }) => a.id);
    expect(actionIds).toHaveLength(3);
    const t0 = Date.now();
    const statuses = await Promise.all(actionIds.map((id) => waitForAction(doCall, id, 60_000, 250)));
    expect(statuses).toEqual(["completed", "completed", "completed"]);
    console.log(`[acceptance] three droplets active in ${Date.now() - t0} ms`);

    for (const name of NAMES) {
      const { status, body } = await doCall("GET", `/v2/droplets/${dropletIds[name]}`);
      expect(status).toBe(200);
      expect(body.droplet.status).toBe("active");
      const v4 = body.droplet.networks.v4 as { ip_address: string; type: string }[];
      const publicV4 = v4.find((n) => n.type === "public")?.ip_address;
      expect(publicV4?.startsWith(`${config.subnet}.`), publicV4).toBe(true);
      ips[name] = publicV4!;
    }
    expect(new Set(Object.values(ips)).size).toBe(3);

    await Promise.all(
      NAMES.map(async (name) => {
        const r = await sshExec(ip(name), key, "hostname; docker version");
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout.split("\n")[0]).toBe(name);
        // `docker version` prints a Server section with the engine's version.
        expect(r.stdout).toMatch(/Server:[\s\S]*Engine:[\s\S]*Version:\s+\d+\.\d+/);
      }),
    );
  });

  it("serves a container published on host A at A's address and not at B's", async () => {
    const a = ip("acc-a");
    const b = ip("acc-b");
    const r = await sshExec(
      a,
      key,
      "docker run -d --name web -p 8080:80 slipway-lab/busybox:latest sh -c 'mkdir -p /www && echo hello-from-a > /www/index.html && exec httpd -f -p 80 -h /www'",
    );
    expect(r.code, r.stderr).toBe(0);
    const body = await eventually(async () => (await httpGet(`http://${a}:8080/`)).body, (x) => x === "hello-from-a\n");
    expect(body).toBe("hello-from-a\n");
    expect(await tcpProbe(b, 8080)).toBe("refused");
  });

  it("serves HTTPS on host A with a Cloudflare origin certificate that only the lab CA vouches for", async () => {
    const a = ip("acc-a");
    const { csrPem, keyPem } = await ecdsaCsr(APP_HOST);
    const issued = await cfCall("POST", "/certificates", {
      body: { csr: csrPem, hostnames: [APP_HOST], request_type: "origin-ecc", requested_validity: 90 },
    });
    expect(issued.status).toBe(200);
    const certificatePem = (issued.body.result as { certificate: string }).certificate;
    expect(certificatePem).toContain("BEGIN CERTIFICATE");

    // Install it in host A's nginx over SSH, like Slipway does.
    const site = [
      "server {",
      "\tlisten 443 ssl;",
      `\tserver_name ${APP_HOST};`,
      `\tssl_certificate /etc/nginx/ssl/${APP_HOST}.crt;`,
      `\tssl_certificate_key /etc/nginx/ssl/${APP_HOST}.key;`,
      '\tlocation / { return 200 "hello over tls\\n"; }',
      "}",
      "",
    ].join("\n");
    const files: [string, string, string][] = [
      [`/etc/nginx/ssl/${APP_HOST}.crt`, certificatePem, "644"],
      [`/etc/nginx/ssl/${APP_HOST}.key`, keyPem, "600"],
      [`/etc/nginx/sites-enabled/${APP_HOST}.conf`, site, "644"],
    ];
    const install = [
      "set -e",
      "mkdir -p /etc/nginx/ssl",
      ...files.map(([path, text, mode]) => `echo ${Buffer.from(text).toString("base64")} | base64 -d > ${path} && chmod ${mode} ${path}`),
      "nginx -t 2>&1",
      "nginx -s reload",
    ].join("\n");
    const r = await sshExec(a, key, install);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("test is successful");
    // Host A's own /etc/nginx, not the machine's (nor host B's).
    expect(existsSync(join(lab.host("acc-a").fs, `etc/nginx/ssl/${APP_HOST}.crt`))).toBe(true);
    expect(existsSync(`/etc/nginx/ssl/${APP_HOST}.crt`)).toBe(false);
    expect(existsSync(join(lab.host("acc-b").fs, `etc/nginx/ssl/${APP_HOST}.crt`))).toBe(false);

    const ca = cfSim!.caCertPem;
    const ok = await eventually(
      () => httpsGet(a, APP_HOST, ca).catch((e: NodeJS.ErrnoException) => ({ status: 0, body: String(e.code ?? e.message) })),
      (x) => x.status === 200,
    );
    expect(ok).toEqual({ status: 200, body: "hello over tls\n" });

    // Without the lab CA the certificate is not trusted...
    const untrusted = await httpsGet(a, APP_HOST).then(
      () => null,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(untrusted?.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT/);
    // ...and with it, it is good for app.example.test only.
    const otherName = await httpsGet(a, "other.example.test", ca).then(
      () => null,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(otherName?.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
  });

  it("makes SSH to a host cut off time out, and work again once restored", async () => {
    const b = ip("acc-b");
    await lab.cutOff("acc-b");
    const t0 = Date.now();
    const err = await sshExec(b, key, "true", 1500).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/Timed out while waiting for handshake/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    // The others are unaffected.
    expect((await sshExec(ip("acc-a"), key, "true")).code).toBe(0);
    await lab.restore("acc-b");
    const r = await sshExec(b, key, "echo back");
    expect(r.stdout).toBe("back\n");
  });

  it("destroys a deleted droplet's host, tears down to nothing and sets up twice safely", async () => {
    const known = NAMES.flatMap((n) => lab.processes(n));
    expect(known.length).toBeGreaterThan(10);

    const del = await doCall("DELETE", `/v2/droplets/${dropletIds["acc-c"]}`);
    expect(del.status).toBe(204);
    await doSim!.settled();
    const names = lab.list().map((h) => h.name);
    expect(names).toEqual(expect.arrayContaining(["acc-a", "acc-b"]));
    expect(names).not.toContain("acc-c");
    expect(await tcpProbe(ip("acc-c"), 22, 1000)).not.toBe("open");

    await doSim!.close();
    doSim = undefined;
    const report = await teardownLab({ config });
    expect(report.hosts).toEqual(expect.arrayContaining(["acc-a", "acc-b"]));
    expect(report.hosts).not.toContain("acc-c");
    expect(await settled(() => labLeftovers(known, config))).toEqual([]);

    const again = new Lab({ config });
    await again.setup();
    await again.setup();
    expect(labRules(config).sort()).toEqual(expectedLabRules(config));
    const addrs = execFileSync("/usr/sbin/ip", ["-o", "addr", "show", "dev", config.bridge], { encoding: "utf8" });
    expect(addrs.match(/inet /g)).toHaveLength(1);
    await teardownLab({ config });
    expect(await settled(() => labLeftovers(known, config))).toEqual([]);
  });
});

/** DigitalOcean's SSH key fingerprint: MD5 of the key blob, colon-separated hex. */
function md5Fingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.trim().split(/\s+/)[1]!, "base64");
  return createHash("md5").update(blob).digest("hex").match(/../g)!.join(":");
}

/** A fresh P-256 key (PKCS#8 PEM, for nginx) and a CSR for `commonName`. */
async function ecdsaCsr(commonName: string): Promise<{ csrPem: string; keyPem: string }> {
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${commonName}`,
    keys,
    signingAlgorithm: algorithm,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "dns", value: commonName }])],
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { csrPem: csr.toString("pem"), keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") };
}

/** GET https://<servername>/ from `address` (SNI and Host: servername), trusting `ca` only when given. */
function httpsGet(address: string, servername: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: address, port: 443, path: "/", servername, headers: { host: servername }, agent: false, timeout: 3000, ...(ca ? { ca } : {}) },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

/** Polls `f` until `done` holds (or 5 s pass); returns the last value. */
async function eventually<T>(f: () => Promise<T>, done: (x: T) => boolean): Promise<T> {
  let last = await f().catch(() => undefined as T);
  for (let i = 0; i < 50 && (last === undefined || !done(last)); i++) {
    await new Promise((r) => setTimeout(r, 100));
    last = await f().catch(() => undefined as T);
  }
  return last;
}

/** Killed processes are reaped shortly after; poll until the list is empty (or 5 s). */
async function settled(f: () => string[]): Promise<string[]> {
  let left = f();
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = f();
  }
  return left;
}
