import type { components } from "@slipway/digitalocean-api";
import { notFound, unprocessable } from "../errors.js";
import { tagJson } from "../presenters.js";
import type { RouteRequest } from "../../simulator-shared/router.js";
import { listReply, type RouteContext } from "./context.js";

export function registerTagRoutes(ctx: RouteContext): void {
  const { router, state } = ctx;

  // Creating an existing tag is not an error on DigitalOcean; it returns the tag.
  router.add("POST", "/v2/tags", (req) => {
    const { name } = req.body as components["schemas"]["tags"];
    if (!name) throw unprocessable("name is required");
    state.tags.add(name);
    return { status: 201, body: { tag: tagJson(name, state, ctx.baseUrl()) } };
  });

  router.add("GET", "/v2/tags", (req) => listReply(ctx, req, "tags", [...state.tags].map((t) => tagJson(t, state, ctx.baseUrl()))));

  router.add("GET", "/v2/tags/{tag_id}", (req) => {
    if (!state.tags.has(req.params.tag_id!)) throw notFound();
    return { status: 200, body: { tag: tagJson(req.params.tag_id!, state, ctx.baseUrl()) } };
  });

  // Deleting a tag untags every resource that carries it; the resources stay.
  router.add("DELETE", "/v2/tags/{tag_id}", (req) => {
    const tag = req.params.tag_id!;
    if (!state.tags.has(tag)) throw notFound();
    state.tags.delete(tag);
    for (const droplet of state.droplets.values()) droplet.tags = droplet.tags.filter((t) => t !== tag);
    for (const image of state.images.values()) image.tags = image.tags.filter((t) => t !== tag);
    return { status: 204 };
  });

  // Tagging and untagging droplets and images by id (other resource types do not exist here).
  const retag = (add: boolean) => (req: RouteRequest) => {
    const tag = req.params.tag_id!;
    if (!state.tags.has(tag)) throw notFound();
    const { resources } = req.body as components["schemas"]["tags_resource"];
    const targets = resources.map(({ resource_id, resource_type }) => {
      const record = resource_type === "droplet" ? state.droplets.get(Number(resource_id)) : resource_type === "image" ? state.images.get(Number(resource_id)) : undefined;
      if (!record) throw unprocessable(`${resource_type} ${resource_id} not found`);
      return record;
    });
    for (const record of targets) {
      record.tags = record.tags.filter((t) => t !== tag);
      if (add) record.tags.push(tag);
    }
    return { status: 204 };
  };
  router.add("POST", "/v2/tags/{tag_id}/resources", retag(true));
  router.add("DELETE", "/v2/tags/{tag_id}/resources", retag(false));
}
