import type { RouteRequest, Router } from "../../simulator-shared/router.js";
import { notFound } from "../errors.js";
import type { DropletLifecycle } from "../lifecycle.js";
import { paginate } from "../pagination.js";
import type { DigitalOceanState, DropletRecord } from "../state.js";

export interface RouteContext {
  router: Router;
  state: DigitalOceanState;
  lifecycle: DropletLifecycle;
  /** The simulator's base URL, for absolute links. */
  baseUrl(): string;
}

/** A list reply: `{ [key]: page, links, meta }`. */
export function listReply<T>(ctx: RouteContext, req: RouteRequest, key: string, all: T[]) {
  const url = new URL(req.path, ctx.baseUrl());
  req.query.forEach((value, name) => url.searchParams.set(name, value));
  const page = paginate(all, req.query, url);
  return { status: 200, body: { [key]: page.items, links: page.links, meta: page.meta } };
}

export function dropletOr404(ctx: RouteContext, id: string | undefined): DropletRecord {
  const droplet = ctx.state.droplets.get(Number(id));
  if (!droplet) throw notFound();
  return droplet;
}
