import { z } from "zod";
import type { Deps } from "../deps.js";
import { defineOperation } from "../operations/operation.js";
import type { OperationContext } from "../ports.js";
import { installAgent } from "./install-agent.js";

export const ServerOperationInput = z.object({ serverId: z.string().uuid() });

/** Pins an adopted host's SSH key and installs the agent on it. */
export const adoptServerOperation = defineOperation({
  name: "adopt-server",
  kind: "ADOPT",
  input: ServerOperationInput,
  run: (deps, ctx, input) => installOrMarkFailed(deps, ctx, input.serverId),
  // The host may be half-installed: it stays as it is, marked ERROR, for an upgrade to finish.
  recover: (deps, ctx, input) => markFailed(deps, ctx, input.serverId, "the replica installing the agent stopped"),
});

/** Adopt and upgrade-agent run the same installation; they differ only in how they started. */
export async function installOrMarkFailed(deps: Deps, ctx: OperationContext, serverId: string): Promise<void> {
  try {
    await installAgent(deps, ctx, serverId);
  } catch (error) {
    await markFailed(deps, ctx, serverId, (error as Error).message);
    throw error;
  }
}

async function markFailed(deps: Deps, ctx: OperationContext, serverId: string, reason: string): Promise<void> {
  await ctx.fenced((tx) => tx.server.updateMany({ where: { id: serverId }, data: { status: "ERROR" } }));
  await ctx.emit({ step: "server-status", level: "ERROR", message: `The server is marked ERROR: ${reason}`, serverId });
}
