import { defineOperation } from "../operations/operation.js";
import { installOrMarkFailed, ServerOperationInput } from "./adopt-server-operation.js";

/** Reinstalls the agent this control plane ships (same token, same pinned host key). */
export const upgradeAgentOperation = defineOperation({
  name: "upgrade-agent",
  kind: "UPGRADE_AGENT",
  input: ServerOperationInput,
  run: (deps, ctx, input) => installOrMarkFailed(deps, ctx, input.serverId),
});
