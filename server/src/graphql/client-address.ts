// Who is asking: the peer's address, or — when the peer is a proxy the operator trusts
// (SLIPWAY_TRUSTED_PROXIES) — the address that proxy says it forwarded for. The header is read
// from the right (the part our own proxies appended) and the first address that is not a trusted
// proxy wins, so a client cannot pick its address by sending X-Forwarded-For itself.
import { BlockList, isIP } from "node:net";

export type TrustedProxies = BlockList;

/** Parses "10.0.0.0/8, 127.0.0.1, ::1" (addresses or CIDR blocks); throws naming a bad entry. */
export function parseTrustedProxies(value: string): TrustedProxies {
  const list = new BlockList();
  for (const entry of value.split(",").map((e) => e.trim()).filter(Boolean)) {
    const [address = "", bits, ...rest] = entry.split("/");
    const family = isIP(address);
    const type = family === 6 ? "ipv6" : "ipv4";
    const prefix = bits === undefined ? undefined : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
    const bad = family === 0 || rest.length > 0 || (prefix !== undefined && !(prefix <= (family === 6 ? 128 : 32)));
    if (bad) throw new Error(`${entry} is not an IP address or CIDR block`);
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return list;
}

/** The client's address given the socket's peer and the X-Forwarded-For header(s) it sent. */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies): string | undefined {
  if (!peer || !isTrusted(peer, trusted) || forwardedFor === undefined) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor).split(",").map((hop) => hop.trim());
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return client; // garbage: stop at the last address a trusted proxy vouched for
    client = hop;
    if (!isTrusted(hop, trusted)) return hop;
  }
  return client;
}

function isTrusted(address: string, trusted: TrustedProxies): boolean {
  const plain = address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return trusted.check(plain, isIP(plain) === 6 ? "ipv6" : "ipv4");
}
