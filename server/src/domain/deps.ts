import type { Config } from "../config.js";
import type { Database } from "../db.js";
import type { EventBus } from "../infra/event-bus.js";
import type { JobQueue } from "../infra/job-queue.js";
import type { Logger } from "../logger.js";
import type { SecretBox } from "./crypto/secret-box.js";
import type { BuildContextSource } from "./deployments/build-context-source.js";
import type { ServerGateway } from "./deployments/server-gateway.js";
import type { ServerConnections } from "./servers/server-connections.js";

/** Everything domain functions reach outside themselves through; built once by buildApp(). */
export interface Deps {
  config: Config;
  db: Database;
  secrets: SecretBox;
  bus: EventBus;
  queue: JobQueue;
  log: Logger;
  /** Pinned SSH connections to servers, and agent clients through them. */
  connections: ServerConnections;
  /** What deployments do on servers (through `connections` in production). */
  servers: ServerGateway;
  /** Turns uploaded archives and git refs into build contexts. */
  buildContexts: BuildContextSource;
}
