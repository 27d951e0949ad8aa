import { notFound } from "../errors.js";
import { actionJson } from "../presenters.js";
import { listReply, type RouteContext } from "./context.js";

export function registerActionRoutes(ctx: RouteContext): void {
  ctx.router.add("GET", "/v2/actions", (req) => listReply(ctx, req, "actions", [...ctx.state.actions.values()].map(actionJson)));

  ctx.router.add("GET", "/v2/actions/{action_id}", (req) => {
    const action = ctx.state.actions.get(Number(req.params.action_id));
    if (!action) throw notFound();
    return { status: 200, body: { action: actionJson(action) } };
  });
}
