import type { Readable } from "node:stream";
import type { Deployment } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { resolveAllowedTarget } from "../network/outbound-target.js";
import { prepareBuildContext } from "../sources/prepare-source.js";

/** A build context ready to stream to an agent, and a way to remove what it left behind. */
export interface OpenedBuildContext {
  stream: Readable;
  /** For events: e.g. "generated Dockerfile for node" or "commit 1a2b3c4". */
  description: string;
  /** `provided`, or `generated:<kind>` when Slipway wrote the Dockerfile (failures then name fixes). */
  dockerfile?: string;
  dispose(): Promise<void>;
}

/**
 * A deployment's build context. Archives were unpacked, checked and packed when the deploy was
 * requested (so a bad one was refused before anything was recorded) and wait in the build-context
 * store; git sources are fetched here, in the job, since a clone can take minutes.
 */
export async function openBuildContext(
  deps: Deps,
  deployment: Deployment,
  archiveDescription: string | undefined,
  archiveDockerfile?: string,
): Promise<OpenedBuildContext> {
  if (deployment.sourceType === "ARCHIVE") {
    return {
      stream: await deps.buildContexts.open(deployment.id),
      description: archiveDescription ?? "uploaded archive",
      ...(archiveDockerfile ? { dockerfile: archiveDockerfile } : {}),
      dispose: () => deps.buildContexts.delete(deployment.id),
    };
  }
  const [repository, ref] = splitGitSource(deployment.sourceRef);
  const resolveGitHost = (host: string) => resolveAllowedTarget(deps, host, ["source", "repository"]);
  const prepared = await prepareBuildContext({ ...deps, resolveGitHost }, { type: "GIT", repository, ref }, { port: deployment.port });
  if (!prepared) throw new Error("A git deployment produced no build context");
  return {
    stream: prepared.openContext(),
    description: `commit ${prepared.commit?.slice(0, 12)}, ${describeDockerfile(prepared.dockerfile)}`,
    dockerfile: prepared.dockerfile,
    dispose: () => prepared.cleanup(),
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
