import type { components } from "@slipway/digitalocean-api";
import { notFound, unprocessable } from "../errors.js";
import { tagJson } from "../presenters.js";
import { listReply, type RouteContext } from "./context.js";

export function registerTagRoutes(ctx: RouteContext): void {
  const { router, state } = ctx;

  // Creating an existing tag is not an error on DigitalOcean; it returns the tag.
  router.add("POST", "/v2/tags", (req) => {
    const { name } = req.body as components["schemas"]["tags"];
    if (!name) throw unprocessable("name is required");
    state.tags.add(name);
    return { status: 201, body: { tag: tagJson(name, state) } };
  });

  router.add("GET", "/v2/tags", (req) => listReply(ctx, req, "tags", [...state.tags].map((t) => tagJson(t, state))));

  router.add("GET", "/v2/tags/{tag_id}", (req) => {
    if (!state.tags.has(req.params.tag_id!)) throw notFound();
    return { status: 200, body: { tag: tagJson(req.params.tag_id!, state) } };
  });
}
