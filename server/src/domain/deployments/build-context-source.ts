import type { Readable } from "node:stream";
import type { Deployment } from "../../generated/prisma/client.js";
import type { DeployJob } from "./create-deployment.js";

/** A build context ready to stream to an agent, and a way to remove its temporary files. */
export interface OpenedBuildContext {
  stream: Readable;
  /** For events: e.g. "generated Dockerfile for Node" or "commit 1a2b3c4". */
  description: string;
  dispose(): Promise<void>;
}

/** Turns a deployment's source (uploaded archive or git ref) into a build context. */
export interface BuildContextSource {
  open(deployment: Deployment, job: DeployJob): Promise<OpenedBuildContext>;
}
