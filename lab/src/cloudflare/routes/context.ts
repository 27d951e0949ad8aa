import type { Router } from "../../simulator-shared/router.js";
import type { Zone } from "cloudflare/resources/zones/zones";
import { ZoneRecords } from "../dns-records.js";
import { CloudflareError } from "../envelope.js";
import type { OriginCertificateAuthority } from "../origin-ca.js";
import type { CloudflareState } from "../state.js";

export interface RouteContext {
  router: Router;
  state: CloudflareState;
  ca: OriginCertificateAuthority;
}

export function zoneOr404(state: CloudflareState, id: string | undefined): Zone {
  const zone = state.zones.get(id ?? "");
  if (!zone) throw new CloudflareError(404, 7003, `Could not route to /zones/${id}, perhaps your object identifier is invalid?`);
  return zone;
}

export function recordsOf(state: CloudflareState, zoneId: string | undefined): ZoneRecords {
  const zone = zoneOr404(state, zoneId);
  return new ZoneRecords(zone.name, state.records.get(zone.id)!);
}
