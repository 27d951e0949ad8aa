import type { Deps } from "../deps.js";

/** The authorized_keys line a user adds on a host before adopting it. */
export function getSshPublicKey(deps: Deps): string {
  return deps.connections.identity().publicKey;
}
