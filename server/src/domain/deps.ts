import type { Config } from "../config.js";
import type { Database } from "../db.js";
import type { EventBus } from "../infra/event-bus.js";
import type { JobQueue } from "../infra/job-queue.js";
import type { Logger } from "../logger.js";
import type { SecretBox } from "./crypto/secret-box.js";

/** Everything domain functions reach outside themselves through; built once by buildApp(). */
export interface Deps {
  config: Config;
  db: Database;
  secrets: SecretBox;
  bus: EventBus;
  queue: JobQueue;
  log: Logger;
}
