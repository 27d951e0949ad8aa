import { defineOperation } from "../operations/operation.js";
import { DeployJobInput } from "./deploy-service-operation.js";
import { recoverDeployment } from "./recover-deployment.js";
import { runDeployment } from "./run-deployment.js";

/** A rollback is a deployment of an earlier image and config: the same health-gated path, nothing rebuilt. */
export const rollbackDeploymentOperation = defineOperation({
  name: "rollback",
  kind: "ROLLBACK",
  input: DeployJobInput,
  run: runDeployment,
  recover: recoverDeployment,
});
