import type { ServiceRemovalFieldsFragment } from "@slipway/sdk";

/** What deleting a service removes, one sentence per place. Pure: tested directly. */
export function removalLines(removal: ServiceRemovalFieldsFragment): string[] {
  const lines = ["Its deployments, environment variables, domains and saved deploy configs in Slipway."];
  for (const server of removal.servers) {
    const images = server.images.length === 1 ? "1 image" : `${server.images.length} images`;
    lines.push(`On ${server.serverName}: the ${server.agentName} containers, its nginx site and ${images}.`);
  }
  if (removal.dnsHostnames.length > 0) lines.push(`In Cloudflare DNS: the records of ${removal.dnsHostnames.join(", ")}.`);
  if (removal.servers.length === 0) lines.push("Nothing on any server: it was never deployed.");
  return lines;
}
