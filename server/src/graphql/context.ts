import type { ClientInfo } from "../domain/auth/sessions.js";
import type { Viewer } from "../domain/auth/viewer.js";
import type { Deps } from "../domain/deps.js";

/** Per request: the app's dependencies, who is asking, and from where. */
export interface GraphQLContext {
  deps: Deps;
  viewer: Viewer | null;
  client: ClientInfo;
  /** Set once a mutation's own audit entry is written, so the request-level audit does not write another. */
  audit: { recorded: boolean };
}
