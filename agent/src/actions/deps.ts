// What actions need. Actions are the only code that calls the container engine or the executor.
import type Docker from "dockerode";
import type { ContainerEngine } from "../engine/types.js";
import type { Executor } from "../exec/types.js";
import type { Locks } from "../locks.js";
import type { AgentStreamLine } from "../protocol/index.js";
import type { InFlightReleases } from "./in-flight-releases.js";
import type { Standbys } from "./standbys.js";

export interface AgentDeps {
  /** Every container and image call (create, start, inspect, build, pull, load, save, ...). */
  engine: ContainerEngine;
  /** Raw Docker, for container stats only (stats.ts). */
  docker: Docker;
  exec: Executor;
  nginxDir: string;
  /** Where the agent keeps what it must remember between requests (the images it manages). */
  stateDir: string;
  locks: Locks;
  /** Timers of the paused containers kept for a quick rollback. */
  standbys: Standbys;
  /** The releases running now, and the deployments given up here. */
  releases: InFlightReleases;
  /** Date.now() when the agent started. */
  startedAt: number;
}

/** Sends one line of a streaming answer. */
export type Emit = (line: AgentStreamLine) => void;
