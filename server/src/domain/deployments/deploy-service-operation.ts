import { z } from "zod";
import { defineOperation } from "../operations/operation.js";
import { recoverDeployment } from "./recover-deployment.js";
import { runDeployment } from "./run-deployment.js";

export const DeployJobInput = z.object({
  deploymentId: z.string().uuid(),
  contextDescription: z.string().max(500).optional(),
  /** `provided` or `generated:<kind>`: how the uploaded archive's build got its Dockerfile. */
  contextDockerfile: z.string().max(100).optional(),
  /** An image source is pulled even when the reference is on the server already. */
  pullAlways: z.boolean().optional(),
});

/** Builds (or pulls) a recorded deployment's image once and releases it on every target server. */
export const deployServiceOperation = defineOperation({
  name: "deploy",
  kind: "DEPLOY",
  input: DeployJobInput,
  run: runDeployment,
  recover: recoverDeployment,
});
