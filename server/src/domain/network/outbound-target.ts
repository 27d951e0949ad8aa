// Where the control plane may connect on a caller's behalf. Addresses are checked after name
// resolution (every address a name resolves to), and the refusal says nothing about what is
// there, so the API cannot be used as a port scanner.
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import type { Deps } from "../deps.js";
import { ValidationError } from "../errors.js";
import { readNetworkPolicy } from "../settings/network-policy.js";

const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) PRIVATE.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8]] as const) PRIVATE.addSubnet(network, prefix, "ipv6");

/** Loopback, link-local, private, carrier-grade NAT, multicast or reserved. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    return mapped ? PRIVATE.check(mapped, "ipv4") : PRIVATE.check(address, "ipv6");
  }
  return true; // not an address at all: never a target
}


/**
 * Resolves a host and returns its addresses, refusing (ValidationError on `field`) a host that
 * does not resolve or resolves to a non-public address while the admin setting does not allow
 * those. The message is the same whatever the reason, so nothing about the network leaks.
 */
export async function resolveAllowedTarget(deps: Deps, host: string, field: string[]): Promise<string[]> {
  const refusal = () =>
    new ValidationError(`Invalid input: ${field.join(".")}: ${host} cannot be reached from Slipway`, [
      { path: field, message: "cannot be reached from Slipway (a private or unknown address; an admin can allow private addresses)" },
    ]);
  const bare = host.replace(/^\[|\]$/g, "");
  let addresses: string[];
  try {
    addresses = isIP(bare) ? [bare] : (await lookup(bare, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    throw refusal();
  }
  if (addresses.length === 0) throw refusal();
  if (addresses.some(isPrivateAddress) && !(await readNetworkPolicy(deps)).allowPrivateTargets) throw refusal();
  return addresses;
}
