import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Deployment, Operation, Project, Server, Service, SourceType } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { startOperation } from "../operations/run-operation.js";
import { listServiceDomains, readServiceEnv } from "../services/service-config.js";
import { prepareBuildContext, type PreparedBuildContext } from "../sources/prepare-source.js";
import { gitRef, gitRepository, imageReference, parseInput } from "../validation.js";
import { describeDockerfile } from "./build-context-source.js";
import { imageTagFor, sealEnv } from "./release-config.js";
import { assertNoDeploymentRunning, resolveTargets } from "./targets.js";

export const DEPLOY_HANDLER = "deploy";

export interface DeployJob {
  deploymentId: string;
  /** An uploaded archive's build context, checked and packed when the deploy was requested. */
  contextPath?: string;
  contextDescription?: string;
}

const DeployInput = z.object({
  serviceId: z.string().uuid(),
  source: z.discriminatedUnion("type", [
    z.object({ type: z.literal("ARCHIVE") }),
    z.object({ type: z.literal("GIT"), repository: gitRepository, ref: gitRef }),
    z.object({ type: z.literal("IMAGE"), image: imageReference }),
  ]),
  serverIds: z.array(z.string().uuid()).max(100).optional(),
});

export type DeployInput = z.input<typeof DeployInput>;

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
  const parsed = parseInput(DeployInput, input);
  const service = await deps.db.service.findUnique({ where: { id: parsed.serviceId }, include: { project: true } });
  if (!service) throw new NotFoundError("Service");
  if (parsed.source.type === "ARCHIVE" && !archive) {
    throw new ValidationError("An archive source needs an uploaded file", [{ path: ["archive"], message: "missing" }]);
  }
  await assertNoDeploymentRunning(deps, service.id);
  const targets = await resolveTargets(deps, service.id, parsed.serverIds);
  // Unpacked, checked (zip-slip, links, bombs, limits) and packed now: a bad archive is refused
  // before anything is recorded.
  const context = archive ? await prepareBuildContext(deps, { type: "ARCHIVE", file: archive }, { port: service.port }) : null;

  try {
    return await recordAndStart(deps, viewer, service, targets, parsed.source, archive, context);
  } catch (error) {
    await context?.cleanup();
    throw error;
  }
}

async function recordAndStart(
  deps: Deps,
  viewer: Viewer,
  service: Service & { project: Project },
  targets: Server[],
  source: z.infer<typeof DeployInput>["source"],
  archive: UploadedArchive | null | undefined,
  context: PreparedBuildContext | null,
): Promise<{ deployment: Deployment; operation: Operation }> {
  const id = randomUUID();
  const env = await readServiceEnv(deps, service.id);
  const domains = (await listServiceDomains(deps, service.id)).map((d) => d.hostname);
  const current = await deps.db.serviceServer.findMany({ where: { serviceId: service.id } });
  const sourceRef = source.type === "GIT" ? `${source.repository}#${source.ref}` : source.type === "IMAGE" ? source.image : archive!.name;

  const deployment = await deps.db.deployment.create({
    data: {
      id,
      serviceId: service.id,
      sourceType: source.type as SourceType,
      sourceRef,
      imageTag: imageTagFor(service.imageBase, id),
      port: service.port,
      healthCheckPath: service.healthCheckPath,
      healthCheckTimeoutSeconds: service.healthCheckTimeoutSeconds,
      domains,
      envCiphertext: sealEnv(deps, env),
      createdById: viewer.userId,
      targets: {
        create: targets.map((server) => ({
          serverId: server.id,
          previousDeploymentId: current.find((c) => c.serverId === server.id)?.currentDeploymentId ?? null,
        })),
      },
    },
  });
  const job: DeployJob = { deploymentId: id };
  if (context) {
    job.contextPath = context.contextPath;
    job.contextDescription = `archive ${context.digest.slice(0, 19)}, ${describeDockerfile(context.dockerfile)}`;
  }
  const operation = await startOperation(deps, {
    handler: DEPLOY_HANDLER,
    kind: "DEPLOY",
    title: `Deploy ${service.project.name}/${service.name} from ${describeSource(source.type, sourceRef)}`,
    input: { ...job },
    actorId: viewer.userId,
    serviceId: service.id,
  });
  return { deployment: await linkOperation(deps, id, operation.id), operation };
}

export async function linkOperation(deps: Deps, deploymentId: string, operationId: string): Promise<Deployment> {
  return deps.db.deployment.update({ where: { id: deploymentId }, data: { operationId } });
}

function describeSource(type: string, ref: string): string {
  return type === "ARCHIVE" ? `archive ${ref}` : type === "GIT" ? `git ${ref}` : `image ${ref}`;
}
