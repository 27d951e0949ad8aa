import type { Operation, Prisma } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import type { OperationDescriptor } from "./operation.js";

/** The queue's one job: run (or recover) the operation it names. */
export const RUN_OPERATION_JOB = "run-operation";

export interface OperationStart {
  title: string;
  actorId?: string | null;
  serviceId?: string | null;
}

/**
 * Records a queued operation and hands it to the job queue; returns at once. If the queue cannot
 * take it now (Redis briefly unreachable), it stays QUEUED and the sweeper enqueues it later.
 */
export async function startOperation<I>(deps: Deps, descriptor: OperationDescriptor<I>, input: I, start: OperationStart): Promise<Operation> {
  const parsed = descriptor.input.parse(input);
  const operation = await deps.db.operation.create({
    data: {
      kind: descriptor.kind,
      handler: descriptor.name,
      title: start.title,
      input: parsed as Prisma.InputJsonValue,
      createdById: start.actorId ?? null,
      serviceId: start.serviceId ?? null,
    },
  });
  await enqueueOperation(deps, operation.id).catch((error: unknown) =>
    deps.log.warn({ err: error, operationId: operation.id }, "could not enqueue an operation now; it stays queued and is enqueued again shortly"),
  );
  return operation;
}

/** The job id is the operation id: enqueueing an operation twice is one job. */
export function enqueueOperation(deps: Deps, operationId: string): Promise<void> {
  return deps.queue.enqueue({ name: RUN_OPERATION_JOB, id: operationId, payload: { operationId } });
}
