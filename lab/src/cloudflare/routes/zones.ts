import { createHash } from "node:crypto";
import type { TokenVerifyResponse } from "cloudflare/resources/user/tokens/tokens";
import { ok, paged } from "../envelope.js";
import { requestPath, zoneOrRouteError, type RouteContext } from "./context.js";

export function registerZoneRoutes(ctx: RouteContext): void {
  const { router, state } = ctx;

  router.add("GET", "/user/tokens/verify", (req) => {
    // A stable 32-hex id per token, like Cloudflare's token ids.
    const result: TokenVerifyResponse = { id: createHash("md5").update(req.token).digest("hex"), status: "active" };
    return ok(result, { messages: [{ code: 10000, message: "This API Token is valid and active" }] });
  });

  router.add("GET", "/zones", (req) => {
    const name = req.query.get("name");
    const status = req.query.get("status");
    const zones = [...state.zones.values()]
      .filter((z) => name === null || z.name === name)
      .filter((z) => status === null || z.status === status);
    return paged(zones, req.query, 20);
  });

  router.add("GET", "/zones/{zone_id}", (req) => ok(zoneOrRouteError(state, req.params.zone_id, requestPath(req))));
}
