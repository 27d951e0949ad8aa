import type { Zone } from "@slipway/cloudflare-api";
import type { Router } from "../../simulator-shared/router.js";
import { ZoneRecords } from "../dns-records.js";
import { CloudflareError } from "../envelope.js";
import type { OriginCertificateAuthority } from "../origin-ca.js";
import type { CloudflareState } from "../state.js";

/** The API lives under this path, as on api.cloudflare.com. */
export const CLOUDFLARE_API_PREFIX = "/client/v4";

/** The full path of a request as the client sent it (routes see it without the prefix). */
export function requestPath(req: { path: string }): string {
  return `${CLOUDFLARE_API_PREFIX}${req.path}`;
}

export interface RouteContext {
  router: Router;
  state: CloudflareState;
  ca: OriginCertificateAuthority;
}

/**
 * The zone with this id. An id the account does not hold is answered as Cloudflare does: 400,
 * "Could not route to <path>, perhaps your object identifier is invalid?" (7003) then
 * "No route for that URI" (7000).
 */
export function zoneOrRouteError(state: CloudflareState, id: string | undefined, path: string): Zone {
  const zone = state.zones.get(id ?? "");
  if (!zone) {
    throw new CloudflareError(400, 7003, `Could not route to ${path}, perhaps your object identifier is invalid?`, [], [
      { code: 7000, message: "No route for that URI" },
    ]);
  }
  return zone;
}

export function recordsOf(state: CloudflareState, zoneId: string | undefined, path: string): ZoneRecords {
  const zone = zoneOrRouteError(state, zoneId, path);
  return new ZoneRecords(zone, state.records.get(zone.id)!);
}
