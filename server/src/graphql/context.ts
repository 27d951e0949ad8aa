import type { Viewer } from "../domain/auth/viewer.js";
import type { Deps } from "../domain/deps.js";

/** Per request: the app's dependencies and who is asking. */
export interface GraphQLContext {
  deps: Deps;
  viewer: Viewer | null;
}
