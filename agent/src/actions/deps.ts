// What actions need. Actions are the only code that calls Docker or the executor.
import type Docker from "dockerode";
import type { Executor } from "../exec/types.js";
import type { Locks } from "../locks.js";
import type { AgentStreamLine } from "../protocol/index.js";

export interface AgentDeps {
  docker: Docker;
  exec: Executor;
  nginxDir: string;
  locks: Locks;
  /** Date.now() when the agent started. */
  startedAt: number;
}

/** Sends one line of a streaming answer. */
export type Emit = (line: AgentStreamLine) => void;
