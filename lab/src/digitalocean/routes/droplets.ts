import type { components } from "@slipway/digitalocean-api";
import { notFound } from "../errors.js";
import { actionJson, dropletJson, dropletSnapshotJson } from "../presenters.js";
import { dropletOr404, listReply, type RouteContext } from "./context.js";

type CreateBody = components["schemas"]["droplet_single_create"] | components["schemas"]["droplet_multi_create"];
type ActionBody = components["schemas"]["droplet_action_snapshot"];

export function registerDropletRoutes(ctx: RouteContext): void {
  const { router, state, lifecycle } = ctx;

  router.add("POST", "/v2/droplets", (req) => {
    const body = req.body as CreateBody;
    const single = "name" in body;
    const { droplets, actions } = lifecycle.create({
      names: single ? [body.name] : body.names,
      region: body.region ?? "nyc3",
      size: body.size,
      image: body.image,
      sshKeys: body.ssh_keys ?? [],
      tags: body.tags ?? [],
      ...(body.user_data === undefined ? {} : { userData: body.user_data }),
    });
    const links = {
      actions: actions.map((a) => ({ id: a.id, rel: "create", href: `${ctx.baseUrl()}/v2/actions/${a.id}` })),
    };
    const shown = droplets.map((d) => dropletJson(d, state));
    return { status: 202, body: single ? { droplet: shown[0], links } : { droplets: shown, links } };
  });

  router.add("GET", "/v2/droplets", (req) => {
    const tag = req.query.get("tag_name");
    const name = req.query.get("name");
    const all = [...state.droplets.values()]
      .filter((d) => tag === null || d.tags.includes(tag))
      // DigitalOcean matches the name case-insensitively.
      .filter((d) => name === null || d.name.toLowerCase() === name.toLowerCase());
    return listReply(ctx, req, "droplets", all.map((d) => dropletJson(d, state)));
  });

  router.add("DELETE", "/v2/droplets", (req) => {
    const tag = req.query.get("tag_name")!;
    for (const droplet of state.dropletsTagged(tag)) lifecycle.delete(droplet);
    return { status: 204 };
  });

  router.add("GET", "/v2/droplets/{droplet_id}", (req) => ({
    status: 200,
    body: { droplet: dropletJson(dropletOr404(ctx, req.params.droplet_id), state) },
  }));

  router.add("DELETE", "/v2/droplets/{droplet_id}", (req) => {
    lifecycle.delete(dropletOr404(ctx, req.params.droplet_id));
    return { status: 204 };
  });

  router.add("GET", "/v2/droplets/{droplet_id}/snapshots", (req) => {
    const droplet = dropletOr404(ctx, req.params.droplet_id);
    const taken = [...state.images.values()].filter((i) => i.type === "snapshot" && i.sourceDropletId === droplet.id);
    return listReply(ctx, req, "snapshots", taken.map(dropletSnapshotJson));
  });

  router.add("POST", "/v2/droplets/{droplet_id}/actions", (req) => {
    const droplet = dropletOr404(ctx, req.params.droplet_id);
    const body = req.body as ActionBody;
    return { status: 201, body: { action: actionJson(lifecycle.act(droplet, body.type, body.name)) } };
  });

  router.add("GET", "/v2/droplets/{droplet_id}/actions", (req) => {
    const droplet = dropletOr404(ctx, req.params.droplet_id);
    const actions = [...state.actions.values()].filter((a) => a.resourceType === "droplet" && a.resourceId === droplet.id);
    return listReply(ctx, req, "actions", actions.map(actionJson));
  });

  router.add("GET", "/v2/droplets/{droplet_id}/actions/{action_id}", (req) => {
    const droplet = dropletOr404(ctx, req.params.droplet_id);
    const action = state.actions.get(Number(req.params.action_id));
    if (!action || action.resourceId !== droplet.id) throw notFound();
    return { status: 200, body: { action: actionJson(action) } };
  });
}
