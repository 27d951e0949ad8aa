// Where the agent lives on a server. The SSH bootstrap and the snapshot's cloud-init install it
// exactly here; the lab's `agent` service starts the shim.

export const AGENT_ROOT = "/opt/slipway";
export const AGENT_BUNDLE_PATH = "/opt/slipway/agent/slipway-agent.mjs";
export const AGENT_SHIM_PATH = "/opt/slipway/bin/slipway-agent";
export const AGENT_CONFIG_PATH = "/opt/slipway/agent.json";
/** The agent's own records (which images it manages), kept between restarts. */
export const AGENT_STATE_DIR = "/opt/slipway/state";
/** Overrides AGENT_CONFIG_PATH (tests, unusual layouts). */
export const AGENT_CONFIG_ENV = "SLIPWAY_AGENT_CONFIG";
/** The bundle's file name in agent/dist after `npm run build -w @slipway/agent`. */
export const AGENT_BUNDLE_FILE = "slipway-agent.mjs";

// A small young generation and a capped heap keep the idle agent near 55 MB resident: it streams
// builds and images rather than holding them, so it never needs a large heap.
export const AGENT_NODE_FLAGS = ["--max-semi-space-size=1", "--max-old-space-size=64"] as const;

/** The executable shim (mode 0755) that starts the bundle with the server's node. */
export const AGENT_SHIM_CONTENTS = `#!/bin/sh\nexec node ${AGENT_NODE_FLAGS.join(" ")} ${AGENT_BUNDLE_PATH} "$@"\n`;
