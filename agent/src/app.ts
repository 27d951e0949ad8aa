// buildAgent(): the agent from its configuration; main.ts and the tests both use it.
import Docker from "dockerode";
import { createActions, type AgentActions } from "./actions/index.js";
import { InFlightReleases } from "./actions/in-flight-releases.js";
import { retireLeftoverStandbys, Standbys } from "./actions/standbys.js";
import type { AgentConfig } from "./config.js";
import { createDockerEngine } from "./engine/docker.js";
import type { ContainerEngine } from "./engine/types.js";
import { createSystemExecutor } from "./exec/system.js";
import { messageOf } from "./errors.js";
import type { Executor } from "./exec/types.js";
import { createAgentServer, type AgentServer } from "./http/server.js";
import { Locks } from "./locks.js";

export interface BuildAgentOptions {
  config: AgentConfig;
  exec?: Executor;
  engine?: ContainerEngine;
  /** Replaces every action (HTTP-layer tests). */
  actions?: AgentActions;
  log?: (line: string) => void;
}

export function buildAgent(opts: BuildAgentOptions): AgentServer {
  const log = opts.log ?? (() => {});
  const docker = new Docker({ socketPath: opts.config.dockerSocket });
  const engine = opts.engine ?? createDockerEngine(docker);
  const standbys = new Standbys(log);
  const actions =
    opts.actions ??
    createActions({
      engine,
      docker,
      exec: opts.exec ?? createSystemExecutor(),
      nginxDir: opts.config.nginxDir,
      stateDir: opts.config.stateDir,
      locks: new Locks(),
      standbys,
      releases: new InFlightReleases(),
      startedAt: Date.now(),
    });
  const server = createAgentServer({ port: opts.config.port, tokenSha256: opts.config.tokenSha256, actions, log });
  return {
    async start() {
      const started = await server.start();
      // Standbys a previous run of the agent paused have lost their timers.
      if (!opts.actions) {
        void retireLeftoverStandbys(engine).then(
          (names) => names.length > 0 && log(`removed standbys left paused by a previous run: ${names.join(", ")}`),
          (e: unknown) => log(`removing leftover standbys: ${messageOf(e)}`),
        );
      }
      return started;
    },
    async stop() {
      standbys.stop();
      await server.stop();
    },
  };
}
