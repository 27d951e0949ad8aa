import type { Operation, OperationKind, OperationStatus, Prisma } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { appendEvent, operationTopic, type EventInput, type OperationMessage } from "./events.js";

/** What a running operation's code gets: a way to report progress, never a way to leak secrets. */
export interface OperationContext {
  operationId: string;
  emit(event: EventInput): Promise<void>;
  /** Every later event has this value replaced by "[redacted]". */
  redact(secret: string): void;
}

export type OperationHandler<I> = (ctx: OperationContext, input: I) => Promise<void>;

interface OperationJob<I> {
  operationId: string;
  input: I;
}

const jobName = (handlerName: string) => `operation:${handlerName}`;

/** Makes a kind of operation runnable: the job queue will call `handler` for each one started. */
export function registerOperation<I>(deps: Deps, handlerName: string, handler: OperationHandler<I>): void {
  deps.queue.register<OperationJob<I>>(jobName(handlerName), (job) => runOperation(deps, job.operationId, handler, job.input));
}

export interface StartOperation<I> {
  handler: string;
  kind: OperationKind;
  title: string;
  input: I;
  actorId?: string | null;
  serviceId?: string | null;
}

/** Records a queued operation and hands it to the job queue; returns at once. */
export async function startOperation<I extends Prisma.InputJsonValue>(deps: Deps, start: StartOperation<I>): Promise<Operation> {
  const operation = await deps.db.operation.create({
    data: {
      kind: start.kind,
      title: start.title,
      input: start.input,
      createdById: start.actorId ?? null,
      serviceId: start.serviceId ?? null,
    },
  });
  await deps.queue.enqueue<OperationJob<I>>({ name: jobName(start.handler), payload: { operationId: operation.id, input: start.input } });
  return operation;
}

async function runOperation<I>(deps: Deps, operationId: string, handler: OperationHandler<I>, input: I): Promise<void> {
  // Claiming QUEUED -> RUNNING in one write means a job delivered twice runs once.
  const claimed = await deps.db.operation.updateMany({
    where: { id: operationId, status: "QUEUED" },
    data: { status: "RUNNING", startedAt: new Date() },
  });
  if (claimed.count !== 1) return;

  const { lastSeq } = await deps.db.operation.findUniqueOrThrow({ where: { id: operationId }, select: { lastSeq: true } });
  const ctx = new EventWriter(deps, operationId, lastSeq);
  let status: OperationStatus = "SUCCEEDED";
  let error: string | null = null;
  try {
    await handler(ctx, input);
  } catch (caught) {
    status = "FAILED";
    error = ctx.scrub(caught instanceof Error ? caught.message : String(caught));
  }
  await ctx.emit(
    status === "SUCCEEDED"
      ? { step: "finished", message: "Succeeded", level: "INFO", progress: 1 }
      : { step: "finished", message: `Failed: ${error}`, level: "ERROR" },
  );
  await finishOperation(deps, operationId, status, error);
}

/** Marks the end (after the last event is stored) and tells live subscribers. */
export async function finishOperation(deps: Deps, operationId: string, status: OperationStatus, error: string | null): Promise<void> {
  await deps.db.operation.update({ where: { id: operationId }, data: { status, error, finishedAt: new Date() } });
  await deps.bus.publish(operationTopic(operationId), { type: "finished", status } satisfies OperationMessage);
}

/**
 * Numbers one operation's events and writes them one at a time, so sequence numbers follow the
 * order of `emit` calls even when parallel steps (one per server) report at once.
 */
class EventWriter implements OperationContext {
  private readonly secrets = new Set<string>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: Deps,
    readonly operationId: string,
    private lastSeq: number,
  ) {}

  redact(secret: string): void {
    if (secret.length > 0) this.secrets.add(secret);
  }

  scrub(text: string): string {
    let clean = text;
    for (const secret of this.secrets) clean = clean.split(secret).join("[redacted]");
    return clean;
  }

  emit(event: EventInput): Promise<void> {
    const write = this.tail.then(() => {
      this.lastSeq += 1;
      return appendEvent(this.deps, this.operationId, this.lastSeq, { ...event, message: this.scrub(event.message) });
    });
    this.tail = write.catch(() => undefined);
    return write.then(() => undefined);
  }
}
