// buildAgent(): the agent from its configuration; main.ts and the tests both use it.
import Docker from "dockerode";
import { createActions, type AgentActions } from "./actions/index.js";
import type { AgentConfig } from "./config.js";
import { createSystemExecutor } from "./exec/system.js";
import type { Executor } from "./exec/types.js";
import { createAgentServer, type AgentServer } from "./http/server.js";
import { Locks } from "./locks.js";

export interface BuildAgentOptions {
  config: AgentConfig;
  exec?: Executor;
  docker?: Docker;
  /** Replaces every action (HTTP-layer tests). */
  actions?: AgentActions;
  log?: (line: string) => void;
}

export function buildAgent(opts: BuildAgentOptions): AgentServer {
  const actions =
    opts.actions ??
    createActions({
      docker: opts.docker ?? new Docker({ socketPath: opts.config.dockerSocket }),
      exec: opts.exec ?? createSystemExecutor(),
      nginxDir: opts.config.nginxDir,
      locks: new Locks(),
      startedAt: Date.now(),
    });
  return createAgentServer({ port: opts.config.port, tokenSha256: opts.config.tokenSha256, actions, log: opts.log });
}
