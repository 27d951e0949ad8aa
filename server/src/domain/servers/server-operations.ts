import type { Deps } from "../deps.js";
import { registerOperation, type OperationContext } from "../operations/run-operation.js";
import { installAgent } from "./install-agent.js";

export const ADOPT_SERVER_HANDLER = "adopt-server";
export const UPGRADE_AGENT_HANDLER = "upgrade-agent";

export type ServerOperationInput = {
  serverId: string;
};

/** Adopt and upgrade-agent run the same installation; they differ only in how they started. */
export function registerServerOperations(deps: Deps): void {
  registerOperation<ServerOperationInput>(deps, ADOPT_SERVER_HANDLER, (ctx, input) => installOrMarkFailed(deps, ctx, input.serverId));
  registerOperation<ServerOperationInput>(deps, UPGRADE_AGENT_HANDLER, (ctx, input) => installOrMarkFailed(deps, ctx, input.serverId));
}

async function installOrMarkFailed(deps: Deps, ctx: OperationContext, serverId: string): Promise<void> {
  try {
    await installAgent(deps, ctx, serverId);
  } catch (error) {
    await deps.db.server.update({ where: { id: serverId }, data: { status: "ERROR" } });
    await ctx.emit({ step: "server-status", level: "ERROR", message: `The server is marked ERROR: ${(error as Error).message}`, serverId });
    throw error;
  }
}
