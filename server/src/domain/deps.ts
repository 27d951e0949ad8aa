import type { Config } from "../config.js";
import type { Database } from "../db.js";
import type { Logger } from "../logger.js";
import type { LoginGuard } from "./auth/login-guard.js";
import type { PasswordHashing } from "./auth/password-hashing.js";
import type { SecretBox } from "./crypto/secret-box.js";
import type {
  BuildContextStore, Clock, EventBus, JobQueue, ProvisioningEnvironment, RateBudget, Scheduler, ServerConnections, ServerGateway,
  ServerRemovedHook, SignInFailures,
} from "./ports.js";

/** Everything domain functions reach outside themselves through; built once by buildApp(). */
export interface Deps {
  config: Config;
  db: Database;
  secrets: SecretBox;
  log: Logger;
  clock: Clock;
  /** This replica, as operation leases name their owner; new at every start. */
  instanceId: string;
  bus: EventBus;
  queue: JobQueue;
  scheduler: Scheduler;
  /** Provider request budgets per token, shared by every replica (DigitalOcean per minute and hour, Cloudflare per 5 minutes). */
  rateBudget: RateBudget;
  /** Failed sign-in counts, shared by every replica (what loginGuard decides on). */
  signInFailures: SignInFailures;
  /** Pinned SSH connections to servers, and agent clients through them. */
  connections: ServerConnections;
  /** What deployments do on servers (through `connections` in production). */
  servers: ServerGateway;
  /** Uploaded archives' build contexts, readable by whichever replica runs the build. */
  buildContexts: BuildContextStore;
  provisioning: ProvisioningEnvironment;
  /** Called when a server is removed, before its droplet is destroyed. */
  serverRemovedHooks: readonly ServerRemovedHook[];
  /** Slows password guessing: failed sign-ins per account and address make the next attempts wait. */
  loginGuard: LoginGuard;
  /** Password hashes a few at a time in this process, with a bounded queue. */
  passwordHashing: PasswordHashing;
}
