import { z } from "zod";
import type { OperationEvent, OperationStatus, Prisma, ReleaseState } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import type { EventInput } from "../ports.js";
import { LeaseLostError, isRecordNotFound } from "./lease.js";

export type { EventInput };

const EventInputSchema = z.object({
  step: z.string().min(1).max(100),
  message: z.string().max(16_384),
  level: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
  progress: z.number().min(0).max(1).nullish(),
  serverId: z.string().nullish(),
  releaseState: z.string().nullish(),
});

/** What travels on an operation's bus topic. The database stays the source of truth. */
export type OperationMessage = { type: "event"; event: OperationEvent } | { type: "finished"; status: OperationStatus };

export function operationTopic(operationId: string): string {
  return `operation:${operationId}`;
}

export const TERMINAL_STATUSES: ReadonlySet<OperationStatus> = new Set(["SUCCEEDED", "FAILED", "INTERRUPTED", "CANCELLED"]);

/**
 * Stores the operation's next event, then publishes it. The sequence number comes from the
 * operation's row, incremented in the same transaction and only while `ownerId` still holds the
 * lease: two writers never share a number, and a replica that lost the lease writes nothing
 * (LeaseLostError). Storing first is what lets a subscriber that missed the live message find it.
 */
export async function appendEvent(deps: Deps, operationId: string, ownerId: string, input: EventInput): Promise<OperationEvent> {
  let event: OperationEvent;
  try {
    event = await deps.db.$transaction(async (tx) => {
      const { lastSeq } = await tx.operation.update({
        where: { id: operationId, ownerId, status: "RUNNING" },
        data: { lastSeq: { increment: 1 }, heartbeatAt: deps.clock.now() },
        select: { lastSeq: true },
      });
      return storeEvent(tx, operationId, lastSeq, input);
    });
  } catch (error) {
    if (isRecordNotFound(error)) throw new LeaseLostError(operationId);
    throw error;
  }
  await deps.bus.publish(operationTopic(operationId), { type: "event", event } satisfies OperationMessage);
  return event;
}

/** Stores one event under a sequence number the caller took from the operation's row in `tx`. */
export function storeEvent(tx: Prisma.TransactionClient, operationId: string, seq: number, input: EventInput): Promise<OperationEvent> {
  const parsed = EventInputSchema.parse(input);
  return tx.operationEvent.create({
    data: {
      operationId,
      seq,
      step: parsed.step,
      level: parsed.level,
      message: parsed.message,
      progress: parsed.progress ?? null,
      serverId: parsed.serverId ?? null,
      releaseState: (parsed.releaseState as ReleaseState | null | undefined) ?? null,
    },
  });
}

/** Stored events after `afterSeq`, in order, one page at a time. */
export async function readEventsAfter(deps: Deps, operationId: string, afterSeq: number, limit = 500): Promise<OperationEvent[]> {
  return deps.db.operationEvent.findMany({
    where: { operationId, seq: { gt: afterSeq } },
    orderBy: { seq: "asc" },
    take: limit,
  });
}

/** An event as it arrives over a bus that carries JSON (dates as strings), as stored. */
export function reviveEvent(event: OperationEvent): OperationEvent {
  return typeof event.createdAt === "string" ? { ...event, createdAt: new Date(event.createdAt) } : event;
}
