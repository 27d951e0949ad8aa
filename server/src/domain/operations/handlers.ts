import { CLEANUP_HANDLER, runImageCleanup } from "../deployments/cleanup-operation.js";
import { DEPLOY_HANDLER, type DeployJob } from "../deployments/create-deployment.js";
import { runDeployment } from "../deployments/run-deployment.js";
import type { Deps } from "../deps.js";
import { registerServerRecordsCleanup } from "../domains/remove-server-records.js";
import { registerProvisioningOperations } from "../provisioning/provisioning-operations.js";
import { registerServerOperations } from "../servers/server-operations.js";
import { registerOperation } from "./run-operation.js";

/**
 * Registers every kind of long operation with the job queue; called once by buildApp().
 * Each domain adds its own line here (deploy, rollback, adopt, provision...).
 */
export function registerOperationHandlers(deps: Deps): void {
  // Rollbacks are deployments too: same handler, same health-gated path.
  registerOperation<DeployJob>(deps, DEPLOY_HANDLER, (ctx, job) => runDeployment(deps, ctx, job, deps.buildContexts));
  registerOperation<{ serviceId: string }>(deps, CLEANUP_HANDLER, (ctx, input) => runImageCleanup(deps, ctx, input));
  registerServerOperations(deps);
  registerProvisioningOperations(deps);
  registerServerRecordsCleanup();
}
