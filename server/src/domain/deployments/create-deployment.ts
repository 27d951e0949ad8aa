import { z } from "zod";
import type { Deployment, Operation, Service, SourceType } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { listServiceDomains, readServiceEnv } from "../services/service-config.js";
import { resolveAllowedTarget } from "../network/outbound-target.js";
import { repositoryHost } from "../sources/git.js";
import { prepareBuildContext } from "../sources/prepare-source.js";
import { gitRef, gitRepositoryUrl, imageReference, parseInput } from "../validation.js";
import { describeDockerfile } from "./build-context-source.js";
import { deployServiceOperation } from "./deploy-service-operation.js";
import { recordDeployment, type ReleaseSnapshot } from "./record-deployment.js";
import { sealEnv } from "./release-config.js";
import { assertDeploySlotFree, resolveTargets } from "./targets.js";

/** The deploy input; git:// and http:// loopback repositories only where the config allows them. */
function deployInput(allowInsecureGitTransports: boolean) {
  return z.object({
    serviceId: z.string().uuid(),
    source: z.discriminatedUnion("type", [
      z.object({ type: z.literal("ARCHIVE") }),
      z.object({ type: z.literal("GIT"), repository: gitRepositoryUrl(allowInsecureGitTransports), ref: gitRef }),
      z.object({ type: z.literal("IMAGE"), image: imageReference, pullAlways: z.boolean().default(false) }),
    ]),
    serverIds: z.array(z.string().uuid()).max(100).optional(),
  });
}

export type DeployInput = z.input<ReturnType<typeof deployInput>>;

/** An uploaded archive as GraphQL multipart hands it over. */
export type UploadedArchive = File;

/**
 * Records a deployment with the service's current config as its snapshot and starts the
 * operation that builds and releases it. Returns at once; progress streams as events.
 */
export async function createDeployment(
  deps: Deps,
  viewer: Viewer,
  input: unknown,
  archive?: UploadedArchive | null,
): Promise<{ deployment: Deployment; operation: Operation }> {
  const parsed = parseInput(deployInput(deps.config.allowInsecureGitTransports), input);
  const service = await deps.db.service.findUnique({ where: { id: parsed.serviceId }, include: { project: true } });
  if (!service) throw new NotFoundError("Service");
  if (parsed.source.type === "ARCHIVE" && !archive) {
    throw new ValidationError("An archive source needs an uploaded file", [{ path: ["archive"], message: "missing" }]);
  }
  // Refused now, not at build time: a git host must be one Slipway may reach.
  if (parsed.source.type === "GIT") await resolveAllowedTarget(deps, repositoryHost(parsed.source.repository).host, ["source", "repository"]);
  await assertDeploySlotFree(deps, service.id);
  const servers = await resolveTargets(deps, service.id, parsed.serverIds);
  // Unpacked, checked (zip-slip, links, bombs, limits) and packed now: a bad archive is refused
  // before anything is recorded.
  const context = archive ? await prepareBuildContext(deps, { type: "ARCHIVE", file: archive }, { port: service.port }) : null;
  try {
    const source = parsed.source;
    const ref = source.type === "GIT" ? `${source.repository}#${source.ref}` : source.type === "IMAGE" ? source.image : archive!.name;
    return await recordDeployment(deps, {
      service,
      servers,
      source: { type: source.type, ref },
      config: await currentReleaseSnapshot(deps, service),
      actorId: viewer.userId,
      operation: {
        descriptor: deployServiceOperation,
        title: `Deploy ${service.project.name}/${service.name} from ${describeSource(source.type, ref)}`,
        input: {
          ...(context ? { contextDescription: `archive ${context.digest.slice(0, 19)}, ${describeDockerfile(context.dockerfile)}`, contextDockerfile: context.dockerfile } : {}),
          ...(source.type === "IMAGE" && source.pullAlways ? { pullAlways: true } : {}),
        },
      },
      // The context goes where every replica can read it: whichever runs the build.
      beforeStart: context ? async (deploymentId) => void (await deps.buildContexts.put(deploymentId, context.openContext())) : undefined,
    });
  } finally {
    await context?.cleanup();
  }
}

/** The service's config now, as a deployment records it. */
async function currentReleaseSnapshot(deps: Deps, service: Service): Promise<ReleaseSnapshot> {
  return {
    port: service.port,
    healthCheckPath: service.healthCheckPath,
    healthCheckTimeoutSeconds: service.healthCheckTimeoutSeconds,
    healthCheckIntervalMs: service.healthCheckIntervalMs,
    drainTimeoutSeconds: service.drainTimeoutSeconds,
    domains: (await listServiceDomains(deps, service.id)).map((d) => d.hostname),
    envCiphertext: sealEnv(deps, await readServiceEnv(deps, service.id)),
  };
}

function describeSource(type: SourceType, ref: string): string {
  return type === "ARCHIVE" ? `archive ${ref}` : type === "GIT" ? `git ${ref}` : `image ${ref}`;
}
