// Pure builders of the lab's hosts: exact argv and file contents.
import { describe, expect, it } from 'vitest';
import * as C from '../src/hosts/commands.js';
import {
  aptClosureCommand,
  busyboxRootfsSteps,
  caBundle,
  labBaseImages,
  nodeRootfsSteps,
  parseAptSimulation,
  parseBusyboxList,
  parseLdd,
  rootfsTarCommand,
  servedRootfsSteps,
} from '../src/hosts/images.js';
import {
  FIXED_INSTANCES,
  cidrsOverlap,
  deriveLabConfig,
  instanceHash,
  labConfigFor,
  labInstanceName,
  labRootFor,
  pickInstanceIndex,
} from '../src/hosts/instances.js';
import {
  DEFAULT_LAB_CONFIG as cfg,
  MAX_SLOT,
  TEST_LAB_CONFIG,
  hostNaming,
  labMatchers,
  pickSlot,
  validateHostName,
  validateImageId,
  type LabConfig,
} from '../src/hosts/layout.js';
import { imageConfigJson, imageManifestJson, registryConfigYaml, registryStorageSteps } from '../src/hosts/oci.js';
import { hostResolvConf } from '../src/hosts/resolv-conf.js';
import { dockerDaemonConfigSteps, dockerDaemonJson } from '../src/hosts/docker-daemon-config.js';
import { NGINX_CONF, NGINX_DEFAULT_SITE } from '@slipway/host-defaults';
import { nginxDefaultConfigSteps } from '../src/hosts/nginx-default-config.js';
import { parseStat, selectHostProcesses, type ProcInfo } from '../src/hosts/processes.js';
import { prerequisiteProblems } from '../src/hosts/preflight.js';
import { serviceDaemon, serviceTable } from '../src/hosts/services.js';
import { authorizedKeys, sshdConfig } from '../src/hosts/sshd-config.js';
import { ExecError, formatArgv, run } from '../src/exec.js';

const h = hostNaming(cfg, 'web-1', 3);
/** The fixed instances and derived ones whose names could be mistaken for theirs or each other's. */
const INSTANCES: [string, LabConfig][] = [
  ...Object.entries(FIXED_INSTANCES),
  ...(
    [
      ['cutoff', 0],
      ['test-cutoff', 1],
      ['labtest', 10],
      ['lab', 100],
      ['web', 2047],
      ['web-1', 256],
    ] as const
  ).map(([name, index]): [string, LabConfig] => [name, deriveLabConfig(name, index)]),
];

describe('layout', () => {
  it('names a host from its slot', () => {
    expect(h).toEqual({
      name: 'web-1',
      slot: 3,
      ipv4: '10.213.0.13',
      netns: 'slipway-lab-3',
      netnsPath: '/var/run/netns/slipway-lab-3',
      veth: 'slwlab3',
      mac: '02:73:6c:77:00:03',
      cgroupParent: '/slipway-lab-3',
      dir: '/var/lib/slipway-lab/hosts/web-1',
      fs: '/var/lib/slipway-lab/hosts/web-1/fs',
      logs: '/var/lib/slipway-lab/hosts/web-1/logs',
      stateFile: '/var/lib/slipway-lab/hosts/web-1/host.json',
    });
  });

  it('gives the test instance its own folder, subnet, bridge and names', () => {
    expect(labConfigFor('default')).toEqual(cfg);
    expect(labConfigFor('test')).toEqual(TEST_LAB_CONFIG);
    for (const bad of ['Nope', '1abc', 'a_b', 'a.b', '', 'x'.repeat(33), 'trailing-']) {
      expect(() => labConfigFor(bad), bad).toThrow(/invalid lab instance name/);
    }
    expect(labRootFor('test')).toBe('/var/lib/slipway-lab-test');
    expect(labRootFor('ci-e2e')).toBe('/var/lib/slipway-lab.d/ci-e2e');
    expect(labInstanceName(undefined, {})).toBe('default');
    expect(labInstanceName(undefined, { SLIPWAY_LAB_INSTANCE: 'test' })).toBe('test');
    expect(labInstanceName('default', { SLIPWAY_LAB_INSTANCE: 'test' })).toBe('default');
    expect(hostNaming(TEST_LAB_CONFIG, 'web-1', 3)).toMatchObject({
      ipv4: '10.214.0.13',
      netns: 'slipway-labtest-3',
      netnsPath: '/var/run/netns/slipway-labtest-3',
      veth: 'slwtest3',
      cgroupParent: '/slipway-labtest-3',
      dir: '/var/lib/slipway-lab-test/hosts/web-1',
    });
    expect(labInstanceName('ci-e2e', {})).toBe('ci-e2e');
    // The longest veth name fits Linux's 15 characters in every instance.
    for (const [, c] of INSTANCES) expect(() => hostNaming(c, 'x', MAX_SLOT)).not.toThrow();
  });

  it('derives any other instance from its name and the index it holds', () => {
    expect(deriveLabConfig('ci-e2e', 42)).toEqual({
      name: 'ci-e2e',
      root: '/var/lib/slipway-lab.d/ci-e2e',
      subnet: '10.215.42',
      bridge: 'slwl0042-br',
      netnsPrefix: 'slipway-lab-ci-e2e-',
      vethPrefix: 'slwl0042h',
      cgroupPrefix: 'slipway-lab-ci-e2e-',
      ruleComment: 'slipway-lab-l0042',
      chain: 'SLW-L0042',
    });
    expect(deriveLabConfig('x', 2047).subnet).toBe('10.222.255');
    expect(deriveLabConfig('x', 256).subnet).toBe('10.216.0');
    expect(() => deriveLabConfig('test', 1)).toThrow(/fixed configuration/);
    expect(() => deriveLabConfig('x', 2048)).toThrow(/invalid lab instance index/);
    // From the name's hash on, past indexes other instances hold and subnets the machine routes.
    const start = instanceHash('ci-e2e');
    expect(pickInstanceIndex('ci-e2e', new Set(), [])).toBe(start);
    expect(pickInstanceIndex('ci-e2e', new Set([start]), [])).toBe((start + 1) % 2048);
    const routed = `${deriveLabConfig('ci-e2e', (start + 1) % 2048).subnet}.128/25`;
    expect(pickInstanceIndex('ci-e2e', new Set([start]), [routed, '192.0.2.0/24'])).toBe((start + 2) % 2048);
    expect(() => pickInstanceIndex('ci-e2e', new Set(), ['10.208.0.0/12'])).toThrow(/no free lab instance subnet/);
    expect(cidrsOverlap('10.215.1.0/24', '10.215.0.0/16')).toBe(true);
    expect(cidrsOverlap('10.215.1.0/24', '10.215.2.0/24')).toBe(false);
    expect(cidrsOverlap('10.215.1.7', '10.215.1.0/24')).toBe(true);
  });

  it("never takes another instance's names for its own", () => {
    const instances = INSTANCES;
    for (const [name, c] of instances) {
      const hosts = [1, 2, 9, 10, 99, 100, MAX_SLOT].map((slot) => hostNaming(c, 'web-1', slot));
      const netns = hosts.map((h) => h.netns);
      const links = [c.bridge, ...hosts.map((h) => h.veth)];
      const cgroups = hosts.map((h) => h.cgroupParent.slice(1));
      const comments = [c.ruleComment, `${c.ruleComment}-cutoff`];
      const texts = [
        ...hosts.map((h) => `nsenter --net=${h.netnsPath} -- unshare --mount --uts -- sleep infinity`),
        ...hosts.map((h) => `dockerd --containerd=/run/containerd/containerd.sock --cgroup-parent ${h.cgroupParent}`),
        ...hosts.map((h) => `nsfs ${h.netnsPath} nsfs rw 0 0`),
        ...hosts.map((h) => `tar --create --file ${h.dir}/x.tar.gz`),
        `-A FORWARD -i ${c.bridge} -o ${c.bridge} -m comment --comment ${c.ruleComment} -j ACCEPT`,
        `-A FORWARD -i ${c.bridge} -m comment --comment ${c.ruleComment} -j ${c.chain}`,
        `/usr/bin/docker-registry serve ${c.root}/registry/config.yml`,
      ];
      for (const [other, o] of instances) {
        const m = labMatchers(o);
        const same = name === other;
        for (const n of netns) expect(m.netns(n), `${other} netns ${n}`).toBe(same);
        for (const n of links) expect(m.link(n), `${other} link ${n}`).toBe(same);
        for (const n of cgroups) expect(m.cgroup(n), `${other} cgroup ${n}`).toBe(same);
        for (const n of comments) expect(m.ruleComment(n), `${other} comment ${n}`).toBe(same);
        expect(m.chain(c.chain), `${other} chain ${c.chain}`).toBe(same);
        for (const t of texts) expect(m.mentionedIn(t), `${other} text ${t}`).toBe(same);
      }
    }
    // Names of something else are nobody's.
    for (const [, c] of instances) {
      const m = labMatchers(c);
      expect(m.netns('slipway-lab-x')).toBe(false);
      expect(m.link('docker0')).toBe(false);
      expect(m.mentionedIn('/tmp/slipway-lab-cli-abc/lab-ca.pem')).toBe(false);
      expect(m.mentionedIn('-A FORWARD -m comment --comment slipway-labx -j ACCEPT')).toBe(false);
    }
  });

  it('picks the smallest free slot', () => {
    expect(pickSlot([])).toBe(1);
    expect(pickSlot([1, 2, 4])).toBe(3);
  });

  it('rejects bad names and image ids', () => {
    expect(() => validateHostName('../etc')).toThrow(/invalid lab host name/);
    expect(() => validateHostName('a b')).toThrow();
    expect(() => validateHostName('')).toThrow();
    expect(() => validateHostName('web-1.example')).not.toThrow();
    expect(() => validateImageId('snap/../../x')).toThrow(/invalid image id/);
    expect(() => validateImageId('123456')).not.toThrow();
  });
});

describe('network commands', () => {
  it('creates the bridge idempotently', () => {
    expect(C.linkShow('slwlab-br0').argv).toEqual(['/usr/sbin/ip', '-j', 'link', 'show', 'dev', 'slwlab-br0']);
    expect(C.bridgeCreate(cfg).argv).toEqual(['/usr/sbin/ip', 'link', 'add', 'slwlab-br0', 'type', 'bridge']);
    expect(C.bridgeAddress(cfg).argv).toEqual(['/usr/sbin/ip', 'addr', 'replace', '10.213.0.1/24', 'dev', 'slwlab-br0']);
  });

  it("forwards the bridge's traffic through the instance's own chain, out by NAT, and nowhere else", () => {
    expect(C.labChainRestoreInput(cfg, 'eth0')).toBe(
      [
        '*filter',
        ':SLIPWAY-LAB - [0:0]',
        '-A SLIPWAY-LAB -i slwlab-br0 -o slwlab-br0 -m comment --comment slipway-lab -j ACCEPT',
        '-A SLIPWAY-LAB -i slwlab-br0 -o eth0 -m comment --comment slipway-lab -j ACCEPT',
        '-A SLIPWAY-LAB -i eth0 -o slwlab-br0 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment slipway-lab -j ACCEPT',
        '-A SLIPWAY-LAB -m comment --comment slipway-lab -j DROP',
        'COMMIT',
        '',
      ].join('\n'),
    );
    // Without an uplink the hosts only reach each other and this machine.
    expect(C.labChainRestoreInput(cfg, null).split('\n').filter((l) => l.startsWith('-A'))).toHaveLength(2);
    expect(C.iptablesRestoreNoflush('x')).toMatchObject({ argv: ['/usr/sbin/iptables-restore', '-w', '--noflush'], input: 'x' });
    expect(C.chainJumpArgs(cfg)).toEqual([
      ['FORWARD', '-i', 'slwlab-br0', '-m', 'comment', '--comment', 'slipway-lab', '-j', 'SLIPWAY-LAB'],
      ['FORWARD', '-o', 'slwlab-br0', '-m', 'comment', '--comment', 'slipway-lab', '-j', 'SLIPWAY-LAB'],
    ]);
    expect(C.ruleInsert('nat', C.natRuleArgs(cfg, 'eth0')).argv).toEqual([
      '/usr/sbin/iptables', '-w', '-t', 'nat', '-I', 'POSTROUTING', '-s', '10.213.0.0/24', '-o', 'eth0',
      '-m', 'comment', '--comment', 'slipway-lab', '-j', 'MASQUERADE',
    ]);
    expect(C.ruleCheck('filter', ['FORWARD']).okExitCodes).toEqual([0, 1]);
    expect(C.chainDelete(cfg).map((c) => c.argv)).toEqual([
      ['/usr/sbin/iptables', '-w', '-F', 'SLIPWAY-LAB'],
      ['/usr/sbin/iptables', '-w', '-X', 'SLIPWAY-LAB'],
    ]);
    expect(C.parseUplink('[{"dst":"default","gateway":"192.0.2.1","dev":"eth0","flags":[]}]')).toBe('eth0');
    expect(C.parseUplink('[]')).toBeNull();
    expect(C.forwardingSysctl('slwlab-br0')).toBe('/proc/sys/net/ipv4/conf/slwlab-br0/forwarding');
  });

  it("gives hosts the machine's nameservers they can reach", () => {
    expect(hostResolvConf('nameserver 10.255.255.53\nsearch example\n', null)).toBe(
      "# Written by the Slipway lab: the machine's nameservers, reached through the lab's NAT.\nnameserver 10.255.255.53\nsearch example\n",
    );
    // systemd-resolved's stub is this machine's own: its upstream servers are used instead.
    expect(hostResolvConf('nameserver 127.0.0.53\noptions edns0\n', 'nameserver 192.0.2.53\n')).toContain('nameserver 192.0.2.53\noptions edns0\n');
    expect(hostResolvConf('nameserver 127.0.0.53\n', 'nameserver 192.0.2.53\n')).not.toContain('127.0.0.53');
  });

  it('wires a host namespace to the bridge', () => {
    expect(C.netnsAdd(h).argv).toEqual(['/usr/sbin/ip', 'netns', 'add', 'slipway-lab-3']);
    expect(C.hostNetworkSetup(cfg, h).map((c) => c.argv)).toEqual([
      ['/usr/sbin/ip', 'link', 'add', 'slwlab3', 'type', 'veth', 'peer', 'name', 'eth0', 'address', '02:73:6c:77:00:03', 'netns', 'slipway-lab-3'],
      ['/usr/sbin/ip', 'link', 'set', 'slwlab3', 'master', 'slwlab-br0', 'up'],
      ['/usr/sbin/ip', '-n', 'slipway-lab-3', 'link', 'set', 'lo', 'up'],
      ['/usr/sbin/ip', '-n', 'slipway-lab-3', 'addr', 'add', '10.213.0.13/24', 'dev', 'eth0'],
      ['/usr/sbin/ip', '-n', 'slipway-lab-3', 'link', 'set', 'eth0', 'up'],
      ['/usr/sbin/ip', '-n', 'slipway-lab-3', 'route', 'add', 'default', 'via', '10.213.0.1'],
      ['/usr/sbin/ip', 'neigh', 'flush', 'to', '10.213.0.13', 'dev', 'slwlab-br0'],
    ]);
    expect(C.netnsDelete('slipway-lab-3')).toEqual({
      argv: ['/usr/sbin/ip', 'netns', 'del', 'slipway-lab-3'],
      timeoutMs: 15_000,
      okExitCodes: [0, 1],
    });
  });

  it('turns leftover lab rules of iptables-save into deletions, and nothing else', () => {
    const save = [
      '# Generated by iptables-save',
      '*raw',
      ':PREROUTING ACCEPT [0:0]',
      '-A PREROUTING -i eth0 -m comment --comment slipway-lab-cutoff -j DROP',
      'COMMIT',
      '*filter',
      ':FORWARD ACCEPT [0:0]',
      '-A FORWARD -i slwlab-br0 -o slwlab-br0 -m comment --comment slipway-lab -j ACCEPT',
      '-A FORWARD -i eth0 -m comment --comment "someone else" -j ACCEPT',
      '-A FORWARD -i eth0 -m comment --comment slipway-labx -j ACCEPT',
      '-A FORWARD -i slwtest-br0 -o slwtest-br0 -m comment --comment slipway-lab-test -j ACCEPT',
      '-A FORWARD -i eth0 -m comment --comment slipway-lab-other -j ACCEPT',
      'COMMIT',
    ].join('\n');
    expect(C.labRuleDeletes(save, cfg).map((c) => c.argv)).toEqual([
      ['/usr/sbin/iptables', '-w', '-t', 'raw', '-D', 'PREROUTING', '-i', 'eth0', '-m', 'comment', '--comment', 'slipway-lab-cutoff', '-j', 'DROP'],
      ['/usr/sbin/iptables', '-w', '-t', 'filter', '-D', 'FORWARD', '-i', 'slwlab-br0', '-o', 'slwlab-br0', '-m', 'comment', '--comment', 'slipway-lab', '-j', 'ACCEPT'],
    ]);
    // The test instance's teardown takes its own rule only (and the default lab's never takes it).
    expect(C.labRuleDeletes(save, TEST_LAB_CONFIG).map((c) => c.argv)).toEqual([
      ['/usr/sbin/iptables', '-w', '-t', 'filter', '-D', 'FORWARD', '-i', 'slwtest-br0', '-o', 'slwtest-br0', '-m', 'comment', '--comment', 'slipway-lab-test', '-j', 'ACCEPT'],
    ]);
    expect(C.splitSaveLine('-A X -m comment --comment "a \\"b\\" c" -j DROP')).toEqual([
      '-A', 'X', '-m', 'comment', '--comment', 'a "b" c', '-j', 'DROP',
    ]);
  });

  it('cuts a host off by dropping packets in its namespace, and restores it', () => {
    expect(C.cutOffCommands(cfg, h).map((c) => c.argv)).toEqual([
      ['/usr/bin/nsenter', '--net=/var/run/netns/slipway-lab-3', '--', '/usr/sbin/iptables', '-w', '-t', 'raw', '-I',
        'PREROUTING', '-i', 'eth0', '-m', 'comment', '--comment', 'slipway-lab-cutoff', '-j', 'DROP'],
      ['/usr/bin/nsenter', '--net=/var/run/netns/slipway-lab-3', '--', '/usr/sbin/iptables', '-w', '-t', 'raw', '-I',
        'OUTPUT', '-o', 'eth0', '-m', 'comment', '--comment', 'slipway-lab-cutoff', '-j', 'DROP'],
    ]);
    const r = C.restoreCommands(cfg, h);
    expect(r.map((c) => c.argv[7])).toEqual(['-D', '-D']);
    expect(r.every((c) => c.okExitCodes?.join() === '0,1')).toBe(true);
  });
});

describe('holder and services', () => {
  it('holds the mount namespace with unshare inside the host network namespace', () => {
    expect(C.holderDaemon(h)).toEqual({
      argv: [
        '/usr/bin/nsenter', '--net=/var/run/netns/slipway-lab-3', '--',
        '/usr/bin/unshare', '--mount', '--uts', '--propagation', 'private', '--',
        '/usr/bin/sleep', 'infinity',
      ],
      logPath: '/var/lib/slipway-lab/hosts/web-1/logs/holder.log',
    });
    expect(C.holderBindMounts(42, [{ from: '/x/etc/nginx', to: '/etc/nginx' }])[0]?.argv).toEqual([
      '/usr/bin/nsenter', '--target=42', '--mount', '--uts', '--', '/usr/bin/mount', '--bind', '/x/etc/nginx', '/etc/nginx',
    ]);
    expect(C.userDataDaemon(h, 42, '/run/slipway-lab/user-data')).toEqual({
      argv: ['/usr/bin/nsenter', '--target=42', '--mount', '--uts', '--net=/var/run/netns/slipway-lab-3', '--', '/run/slipway-lab/user-data'],
      logPath: '/var/lib/slipway-lab/hosts/web-1/logs/user-data.log',
    });
    expect(C.holderUnmount(42, '/run/netns/slipway-lab-1').argv).toEqual([
      '/usr/bin/nsenter', '--target=42', '--mount', '--uts', '--', '/usr/bin/umount', '--lazy', '/run/netns/slipway-lab-1',
    ]);
  });

  it('finds nsfs mounts in mountinfo, deepest first', () => {
    const mi = [
      '22 1 8:1 / / rw,relatime - ext4 /dev/vda rw',
      '40 22 0:4 net:[4026532300] /run/netns/slipway-lab-1 rw - nsfs nsfs rw',
      '41 22 0:30 / /run/netns rw - tmpfs tmpfs rw',
      '42 22 0:4 net:[4026532400] /run/netns/a\\040b rw - nsfs nsfs rw',
    ].join('\n');
    expect(C.nsfsMountPoints(mi)).toEqual(['/run/netns/slipway-lab-1', '/run/netns/a b']);
  });

  it('starts services with nsenter into the holder and the named network namespace', () => {
    const table = serviceTable(h);
    expect(table.map((d) => d.name)).toEqual(['containerd', 'docker', 'nginx', 'sshd', 'agent']);
    expect(table[0]?.argv).toEqual(['/usr/bin/containerd']);
    const docker = table[1]!;
    expect(serviceDaemon(h, 42, docker)).toEqual({
      argv: [
        '/usr/bin/nsenter', '--target=42', '--mount', '--uts', '--net=/var/run/netns/slipway-lab-3', '--',
        '/usr/sbin/dockerd', '--containerd=/run/containerd/containerd.sock', '--cgroup-parent', '/slipway-lab-3',
      ],
      logPath: '/var/lib/slipway-lab/hosts/web-1/logs/docker.log',
    });
    expect(table.find((d) => d.name === 'nginx')?.argv).toEqual(['/usr/sbin/nginx', '-g', 'daemon off;']);
    expect(table.find((d) => d.name === 'sshd')?.argv).toEqual(['/usr/sbin/sshd', '-D', '-e']);
    expect(table.find((d) => d.name === 'agent')).toMatchObject({
      argv: ['/opt/slipway/bin/slipway-agent'],
      autostart: 'if-present',
    });
  });

  it('lets the agent (or any service) be registered later', () => {
    const table = serviceTable(h, [
      { name: 'agent', argv: ['/opt/slipway/agent/node', '/opt/slipway/agent/main.js'], ready: { kind: 'tcp', port: 7070 }, autostart: 'always', stopTimeoutMs: 5000 },
      { name: 'redis', argv: ['/usr/bin/redis-server'], ready: { kind: 'none' }, autostart: 'always', stopTimeoutMs: 5000 },
    ]);
    expect(table.map((d) => d.name)).toEqual(['containerd', 'docker', 'nginx', 'sshd', 'agent', 'redis']);
    expect(table[4]?.argv).toEqual(['/opt/slipway/agent/node', '/opt/slipway/agent/main.js']);
    expect(() => serviceTable(h, [{ name: 'x', argv: [], ready: { kind: 'none' }, autostart: 'always', stopTimeoutMs: 1 }])).toThrow(/empty/);
  });
});

describe('files', () => {
  it("nginx default config is the snapshot's own (one copy, shared with cloud-init)", () => {
    const steps = nginxDefaultConfigSteps('/h/etc/nginx');
    expect(steps).toContainEqual({ kind: 'write', file: { path: '/h/etc/nginx/nginx.conf', contents: NGINX_CONF } });
    expect(steps).toContainEqual({ kind: 'write', file: { path: '/h/etc/nginx/sites-available/default', contents: NGINX_DEFAULT_SITE } });
    expect(steps).toContainEqual({ kind: 'copy', from: '/etc/nginx/mime.types', to: '/h/etc/nginx/mime.types' });
    expect(steps).toContainEqual({ kind: 'symlink', target: '/etc/nginx/sites-available/default', path: '/h/etc/nginx/sites-enabled/default' });
  });

  it('sshd allows root by key only, with its own host key', () => {
    const c = sshdConfig();
    expect(c).toContain('PermitRootLogin prohibit-password\n');
    expect(c).toContain('PasswordAuthentication no\n');
    expect(c).toContain('HostKey /etc/ssh/ssh_host_ed25519_key\n');
    expect(c).toContain('PidFile /run/sshd.pid\n');
    expect(C.sshHostKeygen('/h/etc/ssh/ssh_host_ed25519_key', 'ed25519', 'root@web-1').argv).toEqual([
      '/usr/bin/ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'root@web-1', '-f', '/h/etc/ssh/ssh_host_ed25519_key',
    ]);
  });

  it('writes authorized_keys one per line and rejects junk', () => {
    expect(authorizedKeys([' ssh-ed25519 AAAAC3Nz a@b ', '', 'ssh-rsa AAAAB3Nza'])).toBe('ssh-ed25519 AAAAC3Nz a@b\nssh-rsa AAAAB3Nza\n');
    expect(authorizedKeys([])).toBe('');
    expect(() => authorizedKeys(['command="rm -rf /" ssh-rsa AAAA'])).toThrow(/not an OpenSSH public key/);
    expect(() => authorizedKeys(['ssh-rsa AAAA\nssh-rsa BBBB'])).toThrow();
  });

  it('writes daemon.json with insecure registries only when asked, keeping existing settings', () => {
    expect(dockerDaemonConfigSteps('/h/etc/docker', null, [])).toEqual([]);
    expect(dockerDaemonConfigSteps('/h/etc/docker', null, ['10.213.0.1:5055'])).toEqual([
      { kind: 'write', file: { path: '/h/etc/docker/daemon.json', contents: '{\n  "insecure-registries": [\n    "10.213.0.1:5055"\n  ]\n}\n', mode: 0o644 } },
    ]);
    expect(JSON.parse(dockerDaemonJson('{"log-driver":"local","insecure-registries":["old:1"]}', ['10.213.0.0/24', 'reg.test'])!)).toEqual({
      'log-driver': 'local',
      'insecure-registries': ['10.213.0.0/24', 'reg.test'],
    });
    expect(() => dockerDaemonJson(null, ['http://10.213.0.1:5000'])).toThrow(/not a registry address/);
    expect(() => dockerDaemonJson(null, ['a b'])).toThrow(/not a registry address/);
  });

  it('captures persistent paths without host keys, and restores them', () => {
    expect(C.captureArchive('/h/fs', '/s/x.tar.gz', ['etc/nginx', 'opt'], ['etc/ssh/ssh_host_*']).argv).toEqual([
      '/usr/bin/tar', '--create', '--gzip', '--numeric-owner', '--file', '/s/x.tar.gz', '--directory', '/h/fs',
      '--exclude=etc/ssh/ssh_host_*', '--', 'etc/nginx', 'opt',
    ]);
    expect(C.restoreArchive('/h/fs', '/s/x.tar.gz').argv).toEqual([
      '/usr/bin/tar', '--extract', '--gzip', '--numeric-owner', '--same-permissions', '--file', '/s/x.tar.gz', '--directory', '/h/fs',
    ]);
  });
});

describe('base images', () => {
  it('parses ldd and busybox --list', () => {
    const ldd = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f)',
    ].join('\n');
    expect(parseLdd(ldd)).toEqual([
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
    expect(parseBusyboxList('[\n[[\nbusybox\nsh\nhttpd\n')).toEqual(['[', '[[', 'sh', 'httpd']);
  });

  it('lays out rootfs trees and tars them owned by root', () => {
    const bb = busyboxRootfsSteps('/s', ['sh']);
    expect(bb).toContainEqual({ kind: 'copy', from: '/bin/busybox', to: '/s/bin/busybox', mode: 0o755, dereference: true });
    expect(bb).toContainEqual({ kind: 'symlink', target: 'busybox', path: '/s/bin/sh' });
    expect(bb).toContainEqual({ kind: 'mkdir', path: '/s/tmp', mode: 0o1777 });
    const node = nodeRootfsSteps('/s', ['sh'], '/usr/bin/node', ['/lib64/ld-linux-x86-64.so.2']);
    expect(node).toContainEqual({ kind: 'copy', from: '/usr/bin/node', to: '/s/usr/local/bin/node', mode: 0o755, dereference: true });
    expect(node).toContainEqual({ kind: 'copy', from: '/lib64/ld-linux-x86-64.so.2', to: '/s/lib64/ld-linux-x86-64.so.2', dereference: true });
    expect(rootfsTarCommand('/s', '/i/x.tar').argv).toEqual([
      '/usr/bin/tar', '--create', '--numeric-owner', '--owner=0', '--group=0', '--file', '/i/x.tar', '--directory', '/s', '.',
    ]);
    expect(C.dockerImport('/h/run/docker.sock', '/i/x.tar', 'slipway-lab/busybox:latest', ['CMD ["sh"]']).argv).toEqual([
      '/usr/bin/docker', '-H', 'unix:///h/run/docker.sock', 'import', '--change', 'CMD ["sh"]', '/i/x.tar', 'slipway-lab/busybox:latest',
    ]);
    // The node image carries npm where the official image has it.
    expect(node).toContainEqual({ kind: 'copy', from: '/usr/lib/node_modules/npm', to: '/s/usr/local/lib/node_modules/npm' });
    expect(node).toContainEqual({ kind: 'symlink', target: '../lib/node_modules/npm/bin/npm-cli.js', path: '/s/usr/local/bin/npm' });
    expect(node).toContainEqual({ kind: 'symlink', target: '/bin/busybox', path: '/s/usr/bin/env' });
  });

  it("resolves served images' packages with apt on an empty system, and adds users and a CA bundle", () => {
    expect(aptClosureCommand(['python3'], '/w/empty').argv).toEqual([
      '/usr/bin/apt-get', '--simulate', '--no-install-recommends', '-o', 'Dir::State::status=/w/empty', '-o', 'Debug::NoLocking=1', 'install', 'python3',
    ]);
    const simulated = [
      'NOTE: This is only a simulation!',
      'Inst gcc-12-base (12.2.0-14+deb12u1 Debian:12.11/stable [amd64])',
      'Inst golang-go (2:1.19~1 Debian:12.11/stable [amd64])',
      'Inst libc6 [2.36-9] (2.36-9+deb12u14 Debian-Security:12/stable-security [amd64])',
      'Conf golang-go (2:1.19~1 Debian:12.11/stable [amd64])',
    ].join('\n');
    expect(parseAptSimulation(simulated)).toEqual(['gcc-12-base=12.2.0-14+deb12u1', 'golang-go=2:1.19~1', 'libc6=2.36-9+deb12u14']);
    expect(caBundle([{ name: 'b.crt', pem: 'B\n' }, { name: 'a.crt', pem: 'A' }])).toBe('A\nB\n');
    const steps = servedRootfsSteps('/s', 'A\nB\n');
    expect(steps).toContainEqual({ kind: 'write', file: { path: '/s/etc/ssl/certs/ca-certificates.crt', contents: 'A\nB\n' } });
    expect(steps).toContainEqual({ kind: 'mkdir', path: '/s/tmp', mode: 0o1777 });
    const passwd = steps.find((x) => x.kind === 'write' && x.file.path === '/s/etc/passwd');
    expect(passwd).toMatchObject({ file: { contents: expect.stringContaining('nonroot:x:65532:65532:') } });
    expect(servedRootfsSteps('/s', '').some((x) => x.kind === 'write' && x.file.path.endsWith('ca-certificates.crt'))).toBe(false);
  });

  it('names the base images of an instance: preloaded ones locally, the others in its registry', () => {
    expect(labBaseImages(TEST_LAB_CONFIG)).toEqual({
      node: 'slipway-lab/node:20',
      python: '10.214.0.1:5000/slipway-lab/python:3.11',
      go: '10.214.0.1:5000/slipway-lab/golang:1.19',
      goRuntime: '10.214.0.1:5000/slipway-lab/static:latest',
      static: 'slipway-lab/busybox:latest',
    });
  });

  it('writes a one-layer image and the registry files that serve it', () => {
    const config = JSON.parse(imageConfigJson({ Env: ['PATH=/bin'], Cmd: ['sh'] }, 'sha256:' + 'd'.repeat(64), '2026-01-01T00:00:00Z', 'x'));
    expect(config).toMatchObject({ architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/bin'], Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: ['sha256:' + 'd'.repeat(64)] } });
    expect(JSON.parse(imageManifestJson({ digest: 'sha256:c', size: 2 }, { digest: 'sha256:l', size: 3 }))).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: 'sha256:c', size: 2 },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: 'sha256:l', size: 3 }],
    });
    const [m, c, l] = ['a', 'b', 'c'].map((x) => `sha256:${x.repeat(64)}`) as [string, string, string];
    const steps = registryStorageSteps('/r', (d) => `/cache/${d}`, { repository: 'slipway-lab/python', tag: '3.11', manifest: m, config: c, layers: [l] });
    const v2 = '/r/docker/registry/v2';
    expect(steps).toContainEqual({ kind: 'hardlink', from: `/cache/${l}`, to: `${v2}/blobs/sha256/cc/${'c'.repeat(64)}/data` });
    expect(steps).toContainEqual({ kind: 'write', file: { path: `${v2}/repositories/slipway-lab/python/_layers/sha256/${'c'.repeat(64)}/link`, contents: l } });
    expect(steps).toContainEqual({ kind: 'write', file: { path: `${v2}/repositories/slipway-lab/python/_manifests/tags/3.11/current/link`, contents: m } });
    expect(steps).toContainEqual({ kind: 'write', file: { path: `${v2}/repositories/slipway-lab/python/_manifests/revisions/sha256/${'a'.repeat(64)}/link`, contents: m } });
    expect(steps).toHaveLength(3 + 2 + 3);
    expect(registryConfigYaml('/r', '10.214.0.1:5000')).toContain('  filesystem:\n    rootdirectory: /r\n');
    expect(registryConfigYaml('/r', '10.214.0.1:5000')).toContain('http:\n  addr: 10.214.0.1:5000\n');
  });
});

describe('processes', () => {
  it('parses /proc/PID/stat with odd command names', () => {
    const stat = '123 (a) b (c)) S 45 123 123 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 10';
    expect(parseStat(stat)).toEqual({ comm: 'a) b (c)', state: 'S', ppid: 45, startTime: 98765 });
  });

  it('selects processes in the namespaces and their descendants, never itself', () => {
    const p = (pid: number, ppid: number, netNs: number, mntNs: number, state = 'S'): ProcInfo => ({
      pid, ppid, netNs, mntNs, startTime: 1, comm: 'x', state,
    });
    const procs = [
      p(1, 0, 1, 1),
      p(10, 1, 1, 1), // unrelated
      p(20, 1, 7, 8), // holder (in host netns)
      p(21, 1, 7, 8), // dockerd
      p(22, 1, 1, 8), // entered the mount ns only
      p(30, 21, 99, 98), // container under the host: own namespaces
      p(31, 30, 99, 98),
      p(40, 1, 7, 8, 'Z'), // zombie
      p(50, 10, 7, 1), // this test's own process would be excluded
    ];
    expect(selectHostProcesses(procs, new Set([7]), new Set([8]), new Set([50]))).toEqual([20, 21, 22, 30, 31]);
  });
});

describe('preflight', () => {
  it('names what is missing and how to install it', () => {
    expect(prerequisiteProblems(0, () => true)).toBeNull();
    const msg = prerequisiteProblems(1000, (p) => p !== '/usr/sbin/dockerd' && p !== '/usr/sbin/sshd');
    expect(msg).toBe(
      'lab hosts cannot run here: must run as root (uid is 1000); missing programs: /usr/sbin/dockerd, /usr/sbin/sshd ' +
        '(Debian packages: docker.io, openssh-server). Run lab/scripts/install-deps.sh as root.',
    );
  });
});

describe('executor helpers', () => {
  it('runs argv, and reports exit codes, timeouts and missing programs clearly', async () => {
    expect(await run({ argv: ['/usr/bin/printf', '%s', 'a b'] })).toEqual({ stdout: 'a b', stderr: '', exitCode: 0 });
    expect((await run({ argv: ['/usr/bin/false'], okExitCodes: [0, 1] })).exitCode).toBe(1);
    const failed = await run({ argv: ['/usr/bin/ls', '/nonexistent-lab-path'] }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ExecError);
    expect((failed as ExecError).message).toMatch(/^\/usr\/bin\/ls \/nonexistent-lab-path exited with code 2: .*No such file/);
    const slow = (await run({ argv: ['/usr/bin/sleep', '5'], timeoutMs: 100 }).catch((e: unknown) => e)) as ExecError;
    expect(slow.timedOut).toBe(true);
    expect(slow.message).toBe('/usr/bin/sleep 5 timed out after 100 ms');
    const missing = (await run({ argv: ['/nonexistent/dockerd'] }).catch((e: unknown) => e)) as ExecError;
    expect(missing.message).toMatch(/cannot run \/nonexistent\/dockerd: ENOENT/);
    expect((await run({ argv: ['/usr/bin/cat'], input: 'piped' })).stdout).toBe('piped');
  });

  it('quotes argv for messages only', () => {
    expect(formatArgv(['/usr/sbin/nginx', '-g', 'daemon off;'])).toBe("/usr/sbin/nginx -g 'daemon off;'");
  });
});
