// The agent's version: its package.json version. The bundle gets it injected at build time
// (esbuild `define`), so the shipped file needs nothing else; from source (the control plane
// imports this to know which version it expects) it is read from package.json.
import pkg from "../package.json" with { type: "json" };

declare const __SLIPWAY_AGENT_VERSION__: string | undefined;

export const AGENT_VERSION: string =
  typeof __SLIPWAY_AGENT_VERSION__ === "string" ? __SLIPWAY_AGENT_VERSION__ : pkg.version;
