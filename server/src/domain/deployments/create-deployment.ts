import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { Deployment, Operation, SourceType } from "../../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { startOperation } from "../operations/run-operation.js";
import { listServiceDomains, readServiceEnv } from "../services/service-config.js";
import { gitRef, gitRepository, imageReference, parseInput } from "../validation.js";
import { imageTagFor, sealEnv } from "./release-config.js";
import { assertNoDeploymentRunning, resolveTargets } from "./targets.js";

export const DEPLOY_HANDLER = "deploy";

export interface DeployJob {
  deploymentId: string;
  /** Where an uploaded archive waits for the job. */
  archivePath?: string;
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
export interface UploadedArchive {
  name: string;
  size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

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
  if (archive && archive.size > MAX_UPLOAD_BYTES) {
    throw new ValidationError(`The archive is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`, [{ path: ["archive"], message: "too large" }]);
  }
  await assertNoDeploymentRunning(deps, service.id);
  const targets = await resolveTargets(deps, service.id, parsed.serverIds);

  const id = randomUUID();
  const archivePath = archive ? await saveUpload(deps, id, archive) : undefined;
  const env = await readServiceEnv(deps, service.id);
  const domains = (await listServiceDomains(deps, service.id)).map((d) => d.hostname);
  const current = await deps.db.serviceServer.findMany({ where: { serviceId: service.id } });
  const sourceRef =
    parsed.source.type === "GIT" ? `${parsed.source.repository}#${parsed.source.ref}` : parsed.source.type === "IMAGE" ? parsed.source.image : archive!.name;

  const deployment = await deps.db.deployment.create({
    data: {
      id,
      serviceId: service.id,
      sourceType: parsed.source.type as SourceType,
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
  const operation = await startOperation<DeployJob & Record<string, string | undefined>>(deps, {
    handler: DEPLOY_HANDLER,
    kind: "DEPLOY",
    title: `Deploy ${service.project.name}/${service.name} from ${describeSource(parsed.source.type, sourceRef)}`,
    input: { deploymentId: id, ...(archivePath ? { archivePath } : {}) },
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

async function saveUpload(deps: Deps, deploymentId: string, archive: UploadedArchive): Promise<string> {
  const dir = path.join(deps.config.dataDir, "uploads");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${deploymentId}.upload`);
  await writeFile(file, Buffer.from(await archive.arrayBuffer()), { mode: 0o600 });
  return file;
}
