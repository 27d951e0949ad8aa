import { REGIONS, SIZES } from "../catalog.js";
import { regionJson, sizeJson } from "../presenters.js";
import { listReply, type RouteContext } from "./context.js";

export function registerCatalogRoutes(ctx: RouteContext): void {
  ctx.router.add("GET", "/v2/regions", (req) => listReply(ctx, req, "regions", REGIONS.map(regionJson)));
  ctx.router.add("GET", "/v2/sizes", (req) => listReply(ctx, req, "sizes", SIZES.map(sizeJson)));
}
