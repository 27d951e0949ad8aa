import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { Config } from "../../config.js";
import type { Deployment } from "../../generated/prisma/client.js";
import { prepareBuildContext } from "../sources/prepare-source.js";
import type { DeployJob } from "./create-deployment.js";

/** A build context ready to stream to an agent, and a way to remove its temporary files. */
export interface OpenedBuildContext {
  stream: Readable;
  /** For events: e.g. "generated Dockerfile for node" or "commit 1a2b3c4". */
  description: string;
  dispose(): Promise<void>;
}

/** Turns a deployment's source (uploaded archive or git ref) into a build context. */
export interface BuildContextSource {
  open(deployment: Deployment, job: DeployJob): Promise<OpenedBuildContext>;
}

/**
 * Archives were unpacked, checked and packed when the deployment was requested (so a bad one was
 * refused before anything was recorded); the job finds the context file waiting. Git sources are
 * fetched here, in the job, since a clone can take minutes.
 */
export function sourcesBuildContexts(config: Config): BuildContextSource {
  return {
    async open(deployment, job) {
      if (job.contextPath) {
        const contextPath = job.contextPath;
        return {
          stream: createReadStream(contextPath),
          description: job.contextDescription ?? "uploaded archive",
          dispose: () => rm(path.dirname(contextPath), { recursive: true, force: true }),
        };
      }
      const [repository, ref] = splitGitSource(deployment.sourceRef);
      const prepared = await prepareBuildContext({ config }, { type: "GIT", repository, ref }, { port: deployment.port });
      if (!prepared) throw new Error("A git deployment produced no build context");
      return {
        stream: prepared.openContext(),
        description: `commit ${prepared.commit?.slice(0, 12)}, ${describeDockerfile(prepared.dockerfile)}`,
        dispose: () => prepared.cleanup(),
      };
    },
  };
}

export function describeDockerfile(dockerfile: string): string {
  return dockerfile === "provided" ? "its own Dockerfile" : `a generated Dockerfile for ${dockerfile.replace("generated:", "")}`;
}

/** Git sources are recorded as `repository#ref`; refs cannot contain '#'. */
function splitGitSource(sourceRef: string): [string, string] {
  const at = sourceRef.lastIndexOf("#");
  return [sourceRef.slice(0, at), sourceRef.slice(at + 1)];
}
