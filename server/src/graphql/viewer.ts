import { GraphQLError } from "graphql";
import type { Viewer } from "../domain/auth/viewer.js";
import type { GraphQLContext } from "./context.js";

/** The signed-in viewer; fields that call this also declare authScopes, so it is always there. */
export function viewerOf(ctx: GraphQLContext): Viewer {
  if (!ctx.viewer) throw new GraphQLError("Sign in first", { extensions: { code: "UNAUTHENTICATED" } });
  return ctx.viewer;
}
