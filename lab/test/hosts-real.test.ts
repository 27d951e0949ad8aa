// The lab's real hosts, for real: network namespaces, dockerd, nginx and sshd on this machine.
// Needs root and Debian's docker.io, nginx, openssh-server (lab/scripts/install-deps.sh): when
// they are missing the tests fail with a message saying so.
// Everything here runs in the lab's test instance (TEST_LAB_CONFIG: its own folder, subnet,
// bridge and names), so tearing it down never touches the default lab other suites use.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, teardownLab } from '../src/hosts/index.js';
import { DEFAULT_LAB_CONFIG, labMatchers } from '../src/hosts/layout.js';
import { generateKey, httpGet, expectedLabRules, labLeftovers, labRules, rssKiB, sshExec, tcpProbe, TEST_LAB_CONFIG, TEST_LAB_INSTANCE, type KeyPair } from './hosts-support.js';

const BASE = { id: 'debian-12-x64', archivePath: null };
const NAMES = ['lab-a', 'lab-b', 'lab-c'] as const;
const config = TEST_LAB_CONFIG;

let lab: Lab;
let key: KeyPair;
const ips: Record<string, string> = {};
const bootMs: Record<string, number> = {};

function prerequisites(): void {
  // Throws one clear error (root, programs and the Debian packages they come from).
  new Lab({ config }).preflight();
}

// Long timeouts here as well as in vitest.config.ts (booting hosts takes seconds, not milliseconds).
describe('lab hosts (real namespaces, dockerd, nginx, sshd)', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    prerequisites();
    await teardownLab({ config });
    lab = new Lab({ config, log: (m) => console.log(`[lab] ${m}`) });
    await lab.setup();
    key = generateKey();
    const t0 = Date.now();
    const booted = await Promise.all(
      NAMES.map(async (name) => {
        const t = Date.now();
        const b = await lab.boot({ name, image: BASE, sshPublicKeys: [key.publicKey] });
        bootMs[name] = Date.now() - t;
        return b;
      }),
    );
    for (const b of booted) ips[b.name] = b.ipv4;
    console.log(`[lab] booted ${NAMES.length} hosts in parallel in ${Date.now() - t0} ms`, bootMs);
  }, 180_000);

  afterAll(async () => {
    await teardownLab({ config });
  }, 120_000);

  it('gives each host its own address on the lab network', () => {
    expect(config.subnet).not.toBe(DEFAULT_LAB_CONFIG.subnet);
    expect(Object.values(ips).sort()).toEqual([11, 12, 13].map((n) => `${config.subnet}.${n}`));
    expect(lab.list().map((h) => h.name).sort()).toEqual([...NAMES]);
  });

  it('answers SSH at every address with its own Docker Engine', async () => {
    for (const name of NAMES) {
      const r = await sshExec(ips[name]!, key, "hostname; docker version --format '{{.Server.Version}}'; docker images --format '{{.Repository}}:{{.Tag}}' | sort");
      expect(r.code, r.stderr).toBe(0);
      const [hostname, version, ...images] = r.stdout.trim().split('\n');
      expect(hostname).toBe(name);
      expect(version).toMatch(/^\d+\.\d+/);
      expect(images).toEqual(['slipway-lab/busybox:latest', 'slipway-lab/node:20']);
    }
  });

  it('runs the node base image', async () => {
    const r = await sshExec(ips['lab-c']!, key, "docker run --rm slipway-lab/node:20 node -e 'console.log(process.version)'");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(process.version);
  });

  it("reaches what this machine reaches (the npm registry, by NAT and the machine's DNS), and its instance's registry", async () => {
    // npm in the node image: DNS through the host's resolv.conf, HTTPS trusting the machine's CAs.
    const npm = await sshExec(ips['lab-b']!, key, 'cat /etc/resolv.conf; docker run --rm slipway-lab/node:20 sh -c "cd /tmp && npm view undici@7 version --json"');
    expect(npm.code, npm.stderr).toBe(0);
    expect(npm.stdout).toMatch(/^nameserver (?!127\.)/m);
    expect(npm.stdout).toMatch(/"7\.\d+\.\d+"/);
    // The served Python image, pulled from the instance's registry on its gateway.
    const python = await sshExec(ips['lab-b']!, key, `docker run --rm ${lab.baseImages().python} python -c "import ssl, sys; print(sys.version_info[:2])"`);
    expect(python.code, python.stderr).toBe(0);
    expect(python.stdout.trim()).toBe('(3, 11)');
    expect(lab.registry).toBe(`${config.subnet}.1:5000`);
  });

  it("publishes a container's port at its own host's address only", async () => {
    const a = ips['lab-a']!;
    const b = ips['lab-b']!;
    const r = await sshExec(
      a,
      key,
      "docker run -d --name web -p 8080:80 slipway-lab/busybox:latest sh -c 'mkdir -p /www && echo hello-from-a > /www/index.html && exec httpd -f -p 80 -h /www'",
    );
    expect(r.code, r.stderr).toBe(0);
    let body = '';
    for (let i = 0; i < 50 && body !== 'hello-from-a\n'; i++) {
      body = await httpGet(`http://${a}:8080/`).then((x) => x.body, () => '');
      if (body !== 'hello-from-a\n') await new Promise((res) => setTimeout(res, 100));
    }
    expect(body).toBe('hello-from-a\n');
    expect(await tcpProbe(b, 8080)).toBe('refused');
    // Hosts reach each other.
    const fromB = await sshExec(b, key, `exec 3<>/dev/tcp/${a}/8080 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3`);
    expect(fromB.stdout).toContain('hello-from-a');
  });

  it('gives every host its own SSH host key', async () => {
    const keys = await Promise.all(NAMES.map((n) => sshExec(ips[n]!, key, 'true').then((r) => r.hostKeySha256)));
    expect(new Set(keys).size).toBe(3);
    const machine = existsSync('/etc/ssh/ssh_host_ed25519_key.pub') ? readFileSync('/etc/ssh/ssh_host_ed25519_key.pub', 'utf8') : '';
    for (const n of NAMES) {
      const pub = readFileSync(join(lab.host(n).fs, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8');
      expect(pub).not.toBe(machine);
    }
  });

  it("keeps each host's /etc/nginx (and /opt/slipway) private", async () => {
    const marker = `marker-${Date.now()}`;
    const a = await sshExec(ips['lab-a']!, key, `echo ${marker} > /etc/nginx/lab-marker.txt && echo ${marker} > /opt/slipway/lab-marker.txt && grep -c 'server_names_hash_bucket_size 128;' /etc/nginx/nginx.conf && nginx -t 2>&1`);
    expect(a.code, a.stderr + a.stdout).toBe(0);
    expect(a.stdout).toMatch(/^1\n/);
    expect(a.stdout).toContain('test is successful');
    const b = await sshExec(ips['lab-b']!, key, 'ls /etc/nginx/lab-marker.txt /opt/slipway/lab-marker.txt');
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain('No such file');
    expect(existsSync('/etc/nginx/lab-marker.txt')).toBe(false);
    expect(existsSync('/opt/slipway/lab-marker.txt')).toBe(false);
    expect(readFileSync(join(lab.host('lab-a').fs, 'etc/nginx/lab-marker.txt'), 'utf8')).toBe(`${marker}\n`);
    // nginx answers with the default server on port 80.
    expect((await httpGet(`http://${ips['lab-a']}/`)).status).toBe(404);
  });

  it('cuts a host off (SSH times out, not refused) and restores it', async () => {
    const b = ips['lab-b']!;
    await lab.cutOff('lab-b');
    expect(lab.host('lab-b').cutOff).toBe(true);
    const t0 = Date.now();
    const err = await sshExec(b, key, 'true', 1500).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/Timed out while waiting for handshake/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(await tcpProbe(b, 22, 1000)).toBe('timeout');
    // The others are unaffected.
    expect((await sshExec(ips['lab-a']!, key, 'true')).code).toBe(0);
    await lab.restore('lab-b');
    const r = await sshExec(b, key, 'echo back');
    expect(r.stdout).toBe('back\n');
  });

  it('stops, kills and starts services', async () => {
    const a = ips['lab-a']!;
    await lab.stopService('lab-a', 'nginx');
    expect(lab.host('lab-a').services.nginx).toBe('stopped');
    expect(await tcpProbe(a, 80)).toBe('refused');
    await lab.startService('lab-a', 'nginx');
    expect((await httpGet(`http://${a}/`)).status).toBe(404);

    await lab.killService('lab-a', 'sshd');
    expect(await tcpProbe(a, 22)).toBe('refused');
    await lab.startService('lab-a', 'sshd');
    expect((await sshExec(a, key, 'true')).code).toBe(0);

    // (Without live-restore a restarted dockerd stops running containers: busybox httpd ignores SIGTERM and would cost 10 s.)
    expect((await sshExec(a, key, 'docker rm -f web')).code).toBe(0);
    await lab.killService('lab-a', 'docker');
    expect(lab.host('lab-a').services).toMatchObject({ docker: 'stopped', containerd: 'running' });
    const down = await sshExec(a, key, 'docker info >/dev/null 2>&1; echo $?');
    expect(down.stdout.trim()).not.toBe('0');
    await lab.startService('lab-a', 'docker');
    const up = await sshExec(a, key, "docker version --format '{{.Server.Version}}'");
    expect(up.code, up.stderr).toBe(0);

    await expect(lab.startService('lab-a', 'no-such')).rejects.toThrow(/unknown lab service/);
    expect(lab.host('lab-a').services).toEqual({ containerd: 'running', docker: 'running', nginx: 'running', sshd: 'running', agent: 'stopped' });
  });

  it('runs a registered agent service from /opt/slipway', async () => {
    const c = ips['lab-c']!;
    const w = await sshExec(c, key, "mkdir -p /opt/slipway/bin && printf '#!/bin/sh\\nexec sleep 1000\\n' > /opt/slipway/bin/slipway-agent && chmod +x /opt/slipway/bin/slipway-agent");
    expect(w.code, w.stderr).toBe(0);
    await lab.startService('lab-c', 'agent');
    expect(lab.host('lab-c').services.agent).toBe('running');
    const ps = await sshExec(c, key, 'ps -eo args | grep -c "^sleep 1000"');
    expect(ps.stdout.trim()).toBe('1');
    await lab.stopService('lab-c', 'agent');
    expect(lab.host('lab-c').services.agent).toBe('stopped');
  });

  it('powers a host off (address times out) and on again with its files and images', async () => {
    const c = ips['lab-c']!;
    expect((await sshExec(c, key, 'echo kept > /opt/slipway/power.txt')).code).toBe(0);
    await lab.powerOff('lab-c');
    expect(lab.host('lab-c')).toMatchObject({ poweredOff: true, holderPid: null });
    expect(lab.processes('lab-c')).toEqual([]);
    expect(await tcpProbe(c, 22, 1000)).toBe('timeout');
    await lab.powerOn('lab-c');
    const r = await sshExec(c, key, "cat /opt/slipway/power.txt; docker images --format '{{.Repository}}' | sort | head -1");
    expect(r.stdout).toBe('kept\nslipway-lab/busybox\n');
    expect(lab.host('lab-c').services).toMatchObject({ containerd: 'running', docker: 'running', nginx: 'running', sshd: 'running' });
  });

  it('captures a host and boots a new one from the image with its files', async () => {
    const w = await sshExec(ips['lab-a']!, key, 'mkdir -p /opt/slipway && echo snapshot-v1 > /opt/slipway/release.txt');
    expect(w.code).toBe(0);
    const image = await lab.capture('lab-a', 'snap-test-1');
    expect(image.id).toBe('snap-test-1');
    expect(existsSync(image.archivePath!)).toBe(true);
    const members = execFileSync('/usr/bin/tar', ['-tzf', image.archivePath!], { encoding: 'utf8' }).split('\n');
    expect(members).toContain('opt/slipway/release.txt');
    expect(members.some((m) => m.includes('var/lib/docker'))).toBe(false);
    expect(members.some((m) => m.includes('ssh_host_'))).toBe(false);

    const other = generateKey();
    const d = await lab.boot({ name: 'lab-d', image, sshPublicKeys: [other.publicKey] });
    const r = await sshExec(d.ipv4, other, "cat /opt/slipway/release.txt; grep -c server_names_hash_bucket_size /etc/nginx/nginx.conf; docker version --format '{{.Server.Version}}' >/dev/null && echo docker-ok");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('snapshot-v1\n1\ndocker-ok\n');
    // Its own host key, and only the keys it was booted with.
    const [keyA, keyD] = await Promise.all([sshExec(ips['lab-a']!, key, 'true'), sshExec(d.ipv4, other, 'true')]);
    expect(keyD.hostKeySha256).not.toBe(keyA.hostKeySha256);
    await expect(sshExec(d.ipv4, key, 'true', 5000)).rejects.toThrow(/authentication/i);
    await lab.destroy('lab-d');
    expect(lab.list().map((h) => h.name)).not.toContain('lab-d');
    expect(await tcpProbe(d.ipv4, 22, 1000)).not.toBe('open');
    rmSync(image.archivePath!, { force: true });
  });

  it('stores user data, and runs it inside the host when asked to', async () => {
    const runner = new Lab({ config, userData: 'run' });
    const other = generateKey();
    const e = await runner.boot({
      name: 'lab-e',
      image: BASE,
      sshPublicKeys: [other.publicKey],
      userData: '#!/bin/sh\necho "ran as $(id -u) on $(hostname)" > /opt/slipway/user-data.out\n',
    });
    let out = '';
    for (let i = 0; i < 50 && !out; i++) {
      out = (await sshExec(e.ipv4, other, 'cat /opt/slipway/user-data.out 2>/dev/null')).stdout;
      if (!out) await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).toBe('ran as 0 on lab-e\n');
    expect(readFileSync(join(runner.host('lab-e').dir, 'user-data.txt'), 'utf8')).toContain('user-data.out');
    await runner.destroy('lab-e');
  });

  it('refuses a second host with the same name', async () => {
    await expect(lab.boot({ name: 'lab-a', image: BASE, sshPublicKeys: [] })).rejects.toThrow(/lab host lab-a already exists/);
    expect(lab.host('lab-a').services.sshd).toBe('running');
  });

  it('reports resource use of the three hosts', () => {
    let total = 0;
    for (const n of NAMES) {
      const pids = lab.processes(n);
      const kib = rssKiB(pids);
      total += kib;
      console.log(`[lab] ${n}: ${pids.length} processes, RSS ${(kib / 1024).toFixed(1)} MiB, boot ${bootMs[n]} ms (${lab.host(n).bootMs} ms inside boot)`);
    }
    console.log(`[lab] 3 hosts: RSS ${(total / 1024).toFixed(1)} MiB in all`);
    expect(total).toBeGreaterThan(0);
  });

  it('tears down to nothing, also after a crash, and sets up twice safely', async () => {
    const known = NAMES.flatMap((n) => lab.processes(n));
    expect(known.length).toBeGreaterThan(10);

    // A host whose state file is lost (a crash before it was written)...
    await lab.boot({ name: 'lab-crash-1', image: BASE, sshPublicKeys: [key.publicKey] });
    known.push(...lab.processes('lab-crash-1'));
    rmSync(join(lab.host('lab-crash-1').dir, 'host.json'));
    // ...and one booted by another process that has exited since (state and pids on disk only).
    const cli = await promisify(execFile)(
      join(process.cwd(), '..', 'node_modules', '.bin', 'tsx'),
      ['src/hosts/cli.ts', '--instance', TEST_LAB_INSTANCE, 'boot', 'lab-crash-2'],
      { cwd: process.cwd(), encoding: 'utf8' },
    );
    expect(JSON.parse(cli.stdout)).toMatchObject({ name: 'lab-crash-2' });
    known.push(...new Lab({ config }).processes('lab-crash-2'));
    await lab.cutOff('lab-c');

    const report = await teardownLab({ config });
    expect(report.hosts.sort()).toEqual(['lab-a', 'lab-b', 'lab-c', 'lab-crash-2']);
    expect(report.netns.length).toBe(1); // lab-crash-1's, found by name only
    // Only the test instance's names were touched (the default lab may be in use by other suites).
    const ours = labMatchers(config);
    expect(report.netns.filter((n) => !ours.netns(n))).toEqual([]);
    expect(report.links.filter((l) => !ours.link(l))).toEqual([]);
    expect(report.cgroups.filter((c) => labMatchers(DEFAULT_LAB_CONFIG).mentionedIn(c))).toEqual([]);
    const left = await settled(() => labLeftovers(known, config));
    expect(left).toEqual([]);
    const netns = execFileSync('/usr/sbin/ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n');
    expect(netns.filter((l) => l.startsWith(config.netnsPrefix))).toEqual([]);

    // Setup twice, then teardown again: still nothing left.
    const again = new Lab({ config });
    await again.setup();
    await again.setup();
    expect(labRules(config).sort()).toEqual(expectedLabRules(config));
    expect(execFileSync('/usr/sbin/ip', ['-o', 'addr', 'show', 'dev', config.bridge], { encoding: 'utf8' }).match(/inet /g)).toHaveLength(1);
    await teardownLab({ config });
    await teardownLab({ config });
    expect(await settled(() => labLeftovers(known, config))).toEqual([]);
  });
});

/** Killed processes are reaped by init shortly after; poll until the list is empty (or 5 s). */
async function settled(f: () => string[]): Promise<string[]> {
  let left = f();
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = f();
  }
  return left;
}
