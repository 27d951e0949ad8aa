// What saving a service's domains would do, before it is saved: each line read the way people
// paste it (https://, a trailing /), every bad line named, and for each host name the DNS that the
// next deploy makes and whether the verified Cloudflare token covers its zone.
import { z } from "zod";
import { verificationState } from "../credentials/credentials.js";
import type { Deps } from "../deps.js";
import { getServiceOrThrow } from "../services/services.js";
import { parseInput } from "../validation.js";
import { logReport, openCloudflare } from "./cloudflare-access.js";
import { bareHostname, hostname as hostnameSchema } from "./set-domains.js";

export type CloudflareCoverage = "COVERED" | "NOT_COVERED" | "NO_TOKEN" | "TOKEN_NOT_VERIFIED" | "UNKNOWN";

export interface DomainLinePreview {
  /** The line as typed. */
  line: string;
  /** The host name it stands for, or null when it is not one. */
  hostname: string | null;
  problem: string | null;
  /** The Cloudflare zone holding it, when the token covers it. */
  zone: string | null;
  coverage: CloudflareCoverage;
  /** The DNS the next deploy makes for it, in words. */
  dns: string;
}

const PreviewInput = z.object({ serviceId: z.string().uuid(), lines: z.array(z.string().max(300)).max(200) });

export async function previewDomains(deps: Deps, input: unknown): Promise<DomainLinePreview[]> {
  const { serviceId, lines } = parseInput(PreviewInput, input);
  await getServiceOrThrow(deps, serviceId);
  const running = await deps.db.serviceServer.findMany({ where: { serviceId }, select: { server: { select: { name: true, publicIpv4: true } } } });
  const addresses = running.map((r) => r.server.publicIpv4).filter((ip): ip is string => Boolean(ip));
  const credential = await deps.db.credential.findUnique({ where: { provider_name: { provider: "CLOUDFLARE", name: "default" } } });
  const state = credential ? verificationState(credential) : "MISSING";
  const cloudflare = state === "VERIFIED" ? await openCloudflare(deps, logReport(deps), "dns").catch(() => null) : null;

  const seen = new Set<string>();
  const previews: DomainLinePreview[] = [];
  for (const line of lines.filter((l) => l.trim() !== "")) {
    const parsed = hostnameSchema.safeParse(bareHostname(line));
    const name = parsed.success ? parsed.data : null;
    let problem = parsed.success ? null : `“${line.trim()}” is not a host name like app.example.com`;
    if (name && seen.has(name)) problem = `${name} is listed twice`;
    if (name) seen.add(name);
    let coverage: CloudflareCoverage = state === "MISSING" ? "NO_TOKEN" : state === "VERIFIED" ? "UNKNOWN" : "TOKEN_NOT_VERIFIED";
    let zone: string | null = null;
    if (name && !problem && cloudflare) {
      try {
        zone = (await cloudflare.zoneFor(name))?.name ?? null;
        coverage = zone ? "COVERED" : "NOT_COVERED";
      } catch {
        coverage = "UNKNOWN";
      }
    }
    previews.push({ line, hostname: name, problem, zone, coverage, dns: describeDns(name, coverage, zone, addresses) });
  }
  return previews;
}

/** The DNS the next deploy makes for one host name, in words. Pure. */
export function describeDns(name: string | null, coverage: CloudflareCoverage, zone: string | null, addresses: string[]): string {
  if (!name) return "Nothing: fix the line first.";
  const targets = addresses.length > 0 ? addresses.join(", ") : "the servers it is deployed to";
  switch (coverage) {
    case "COVERED":
      return `A proxied A record ${name} → ${targets} in the Cloudflare zone ${zone}, and an origin certificate for HTTPS.`;
    case "NOT_COVERED":
      return `None: the Cloudflare token covers no zone holding ${name}. Point its DNS at ${targets} yourself, or use a token for that zone.`;
    case "NO_TOKEN":
      return `None: there is no Cloudflare token. Point ${name} at ${targets} yourself, or add a token to have Slipway do it.`;
    case "TOKEN_NOT_VERIFIED":
      return `None until the Cloudflare token is verified; then a proxied A record ${name} → ${targets}.`;
    case "UNKNOWN":
      return `A proxied A record ${name} → ${targets}, if the Cloudflare token covers its zone (Cloudflare could not be asked now).`;
  }
}
