// How the domains module reaches Cloudflare: with the stored token, or not at all. Without a
// Cloudflare credential, DNS and origin certificates are skipped (with a warning), never failed.
import { CloudflareClient, type CloudflareTransportEvent, type Zone } from "../../integrations/cloudflare/index.js";
import { readProviderToken } from "../credentials/credentials.js";
import type { Deps } from "../deps.js";
import { NotFoundError } from "../errors.js";
import type { EventInput } from "../operations/events.js";

/** Where progress goes: an operation's events, or the log when no operation is running. */
export type Report = (event: EventInput) => Promise<void>;

export function logReport(deps: Deps): Report {
  return async (event) => {
    const fields = { step: event.step, serverId: event.serverId ?? undefined };
    if (event.level === "ERROR") deps.log.error(fields, event.message);
    else if (event.level === "WARN") deps.log.warn(fields, event.message);
    else deps.log.info(fields, event.message);
  };
}

export interface CloudflareAccess {
  client: CloudflareClient;
  /** The account's zone holding a hostname, looked up once per hostname. */
  zoneFor(hostname: string): Promise<Zone | undefined>;
}

/** A client with the stored token, or null when no Cloudflare credential is set. */
export async function openCloudflare(deps: Deps, report: Report, step: string): Promise<CloudflareAccess | null> {
  let token: string;
  try {
    token = await readProviderToken(deps, "CLOUDFLARE");
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
  const client = new CloudflareClient({
    token,
    apiUrl: deps.config.cloudflareApiUrl,
    rateBudget: deps.rateBudget,
    onEvent: (event) => void report({ step, level: "WARN", message: describeTransportEvent(event) }),
  });
  const zones = new Map<string, Promise<Zone | undefined>>();
  return {
    client,
    zoneFor(hostname) {
      let zone = zones.get(hostname);
      if (!zone) {
        zone = client.findZoneForHostname(hostname);
        zones.set(hostname, zone);
      }
      return zone;
    },
  };
}

function describeTransportEvent(event: CloudflareTransportEvent): string {
  const seconds = (event.delayMs / 1000).toFixed(1);
  if (event.kind === "retry") return `Cloudflare ${event.call} failed (${event.reason}); retrying in ${seconds}s`;
  return event.cause === "429"
    ? `Cloudflare rate limited ${event.call}; waiting ${seconds}s`
    : `Holding ${event.call} for ${seconds}s to stay under Cloudflare's rate limit`;
}
