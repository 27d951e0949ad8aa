import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { AGENT_BUNDLE_FILE } from "@slipway/agent/layout";
import { AGENT_VERSION } from "@slipway/agent/version";
import type { Server } from "../../generated/prisma/client.js";

/** The agent version this control plane installs and expects: the bundled agent package's. */
export function expectedAgentVersion(): string {
  return AGENT_VERSION;
}

/** Known and different from what this control plane ships; unknown (never installed) is not outdated. */
export function isAgentOutdated(server: Pick<Server, "agentVersion">): boolean {
  return server.agentVersion !== null && server.agentVersion !== AGENT_VERSION;
}

/** The built bundle (`npm run build -w @slipway/agent`), or a clear error saying how to build it. */
export function agentBundlePath(): string {
  const layout = createRequire(import.meta.url).resolve("@slipway/agent/layout");
  const bundle = path.join(path.dirname(layout), "..", "dist", AGENT_BUNDLE_FILE);
  if (!existsSync(bundle)) {
    throw new Error(`The agent bundle ${bundle} does not exist: build it with "npm run build -w @slipway/agent"`);
  }
  return bundle;
}
