// A host's /etc/resolv.conf: the machine's nameservers that a host can reach through the lab's
// NAT. A loopback nameserver (systemd-resolved's 127.0.0.53) is this machine's own and not the
// host's, so its upstream servers (systemd's resolv.conf) are used instead. Pure.

const LOOPBACK = /^(127\.|::1$|0\.0\.0\.0$)/;

/** The resolv.conf for hosts, from the machine's (and systemd-resolved's upstream one, if any). */
export function hostResolvConf(machine: string, upstream: string | null): string {
  const reachable = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^nameserver\s+\S+/.test(l) && !LOOPBACK.test(l.split(/\s+/)[1]!));
  const servers = reachable(machine).length > 0 ? reachable(machine) : reachable(upstream ?? '');
  const others = machine
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(search|domain|options)\s/.test(l));
  return ['# Written by the Slipway lab: the machine\'s nameservers, reached through the lab\'s NAT.', ...servers, ...others, ''].join('\n');
}
