// What else must forget a server when it is removed (its DNS records, ...). Other domains
// register a listener at start; deleteServer calls them all once the server is drained and before
// the droplet is destroyed (so its DNS records go first). A listener that fails is reported as a
// warning and does not stop the rest.
import type { Deps } from "../deps.js";

export interface RemovedServer {
  id: string;
  name: string;
  publicIpv4: string | null;
}

export type ServerRemovedListener = (deps: Deps, server: RemovedServer) => Promise<void>;

const listeners: ServerRemovedListener[] = [];

/** Registers a listener for every control plane in this process; returns a function that removes it. */
export function onServerRemoved(listener: ServerRemovedListener): () => void {
  listeners.push(listener);
  return () => {
    const index = listeners.indexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  };
}

/** Calls every listener in turn; returns the messages of those that failed. */
export async function notifyServerRemoved(deps: Deps, server: RemovedServer): Promise<string[]> {
  const problems: string[] = [];
  for (const listener of [...listeners]) {
    try {
      await listener(deps, server);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}
