import type { Deps } from "../deps.js";

/**
 * Registers every kind of long operation with the job queue; called once by buildApp().
 * Each domain adds its own line here (deploy, rollback, adopt, provision...).
 */
export function registerOperationHandlers(_deps: Deps): void {}
