import type { Operation, Prisma } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import type { OperationDescriptor } from "./operation.js";

/** The queue's one job: run (or recover) the operation it names. */
export const RUN_OPERATION_JOB = "run-operation";

// A request never waits longer than this on the queue: past it, the sweeper's requeue takes over.
const ENQUEUE_WAIT_MS = 2_000;

export interface OperationStart {
  /** Chosen ahead when something must name the operation before it exists (a conditional claim). */
  id?: string;
  title: string;
  actorId?: string | null;
  serviceId?: string | null;
  /** A conditional claim (deploy-claim.ts) made in the transaction that records the operation: if it throws, nothing is recorded. */
  claim?: (tx: Prisma.TransactionClient, operationId: string) => Promise<void>;
  /** Runs first in the claim's transaction, before the operation is recorded: takes the lock the claim needs (holdService). */
  hold?: (tx: Prisma.TransactionClient) => Promise<void>;
}

/**
 * Records a queued operation and hands it to the job queue; returns at once. If the queue cannot
 * take it now (Redis briefly unreachable), it stays QUEUED and the sweeper enqueues it later.
 */
export async function startOperation<I>(deps: Deps, descriptor: OperationDescriptor<I>, input: I, start: OperationStart): Promise<Operation> {
  const parsed = descriptor.input.parse(input);
  const data: Prisma.OperationUncheckedCreateInput = {
    ...(start.id ? { id: start.id } : {}),
    kind: descriptor.kind,
    handler: descriptor.name,
    title: start.title,
    input: parsed as Prisma.InputJsonValue,
    createdById: start.actorId ?? null,
    serviceId: start.serviceId ?? null,
  };
  const { claim, hold } = start;
  const operation = claim
    ? await deps.db.$transaction(async (tx) => {
        await hold?.(tx);
        const recorded = await tx.operation.create({ data });
        await claim(tx, recorded.id);
        return recorded;
      })
    : await deps.db.operation.create({ data });
  const enqueued = enqueueOperation(deps, operation.id).then(
    () => true,
    (error: unknown) => {
      deps.log.warn({ err: error, operationId: operation.id }, "could not enqueue an operation; it stays queued and is enqueued again shortly");
      return true;
    },
  );
  const waited = await Promise.race([enqueued, new Promise<false>((resolve) => setTimeout(resolve, ENQUEUE_WAIT_MS, false).unref())]);
  if (!waited) deps.log.warn({ operationId: operation.id }, "the job queue is not answering; the operation stays queued and is enqueued again once it does");
  return operation;
}

/** The job id is the operation id: enqueueing an operation twice is one job. */
export function enqueueOperation(deps: Deps, operationId: string): Promise<void> {
  return deps.queue.enqueue({ name: RUN_OPERATION_JOB, id: operationId, payload: { operationId } });
}
