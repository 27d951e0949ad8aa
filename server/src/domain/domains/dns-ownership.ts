// Slipway changes and deletes only DNS records it created (their ids are kept in OwnedDnsRecord),
// or those at a name an admin told it to adopt. A name where anyone else's address record (A,
// AAAA, CNAME) stands is left alone: setDomains refuses it up front, and a sync that finds one
// later reports it and changes nothing there.
import type { DesiredHostname, DnsPlan, ExistingRecord, Zone } from "../../integrations/cloudflare/index.js";
import { normalizeHostname } from "../../integrations/cloudflare/index.js";
import type { Deps } from "../deps.js";
import type { CloudflareAccess } from "./cloudflare-access.js";

export const MANAGED_COMMENT = "Managed by Slipway";

/** Which records at these names Slipway may change: its own, and the A records of adopted names. */
export async function ownershipOf(deps: Deps, hostnames: string[]): Promise<(record: ExistingRecord) => boolean> {
  const names = hostnames.map(normalizeHostname);
  const owned = new Set((await deps.db.ownedDnsRecord.findMany({ where: { hostname: { in: names } }, select: { id: true } })).map((r) => r.id));
  const adopted = new Set(
    (await deps.db.serviceDomain.findMany({ where: { hostname: { in: names }, dnsAdoptedAt: { not: null } }, select: { hostname: true } })).map((d) => d.hostname),
  );
  // Records made before ownership was tracked carry Slipway's comment; they are taken as its own.
  return (record) => owned.has(record.id) || adopted.has(normalizeHostname(record.name)) || record.comment === MANAGED_COMMENT;
}

/** Syncs one hostname's A records among those Slipway owns, then records which ones it owns now. */
export async function syncOwnedARecords(deps: Deps, cloudflare: CloudflareAccess, zone: Zone, desired: DesiredHostname): Promise<DnsPlan> {
  const hostname = normalizeHostname(desired.hostname);
  const isOwned = await ownershipOf(deps, [hostname]);
  const plan = await cloudflare.client.syncARecords(zone.id, [desired], { comment: MANAGED_COMMENT, isOwned });
  // Slipway's now: what it owned before and what this sync created (never a record someone else
  // added meanwhile, nor one left standing when the name was taken away).
  const created = new Set(plan.creates.map((record) => record.content));
  const now = (await cloudflare.client.listDnsRecords(zone.id, { name: hostname, type: "A" })).filter(
    (record) => isOwned(record) || created.has(record.content ?? ""),
  );
  await deps.db.$transaction([
    deps.db.ownedDnsRecord.deleteMany({ where: { hostname, id: { notIn: now.map((r) => r.id) } } }),
    ...now.map((record) =>
      deps.db.ownedDnsRecord.upsert({ where: { id: record.id }, create: { id: record.id, zoneId: zone.id, hostname }, update: { hostname, zoneId: zone.id } }),
    ),
  ]);
  return plan;
}

/** Address records at a name that Slipway does not own, as "A 192.0.2.1" lines; empty when it may take the name. */
export async function foreignRecordsAt(deps: Deps, cloudflare: CloudflareAccess, hostname: string): Promise<string[] | null> {
  const zone = await cloudflare.zoneFor(hostname);
  if (!zone) return null;
  const isOwned = await ownershipOf(deps, [hostname]);
  const records = await cloudflare.client.listDnsRecords(zone.id, { name: hostname });
  return records.filter((r) => ["A", "AAAA", "CNAME"].includes(r.type) && !isOwned(r)).map((r) => `${r.type} ${r.content ?? ""}`.trim());
}
