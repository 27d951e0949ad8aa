import { z } from "zod";
import type { EventLevel, OperationEvent, OperationStatus } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";

export interface EventInput {
  step: string;
  message: string;
  level?: EventLevel;
  /** 0..1 for the step on its server. */
  progress?: number | null;
  serverId?: string | null;
}

const EventInputSchema = z.object({
  step: z.string().min(1).max(100),
  message: z.string().max(16_384),
  level: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
  progress: z.number().min(0).max(1).nullish(),
  serverId: z.string().nullish(),
});

/** What travels on an operation's bus topic. The database stays the source of truth. */
export type OperationMessage = { type: "event"; event: OperationEvent } | { type: "finished"; status: OperationStatus };

export function operationTopic(operationId: string): string {
  return `operation:${operationId}`;
}

export const TERMINAL_STATUSES: ReadonlySet<OperationStatus> = new Set(["SUCCEEDED", "FAILED", "INTERRUPTED"]);

/**
 * Persists an event under the given sequence number, then publishes it. Persisting first is what
 * lets a subscriber that missed the live message find it in the database.
 */
export async function appendEvent(deps: Deps, operationId: string, seq: number, input: EventInput): Promise<OperationEvent> {
  const parsed = EventInputSchema.parse(input);
  const [, event] = await deps.db.$transaction([
    deps.db.operation.update({ where: { id: operationId }, data: { lastSeq: seq } }),
    deps.db.operationEvent.create({
      data: {
        operationId,
        seq,
        step: parsed.step,
        level: parsed.level,
        message: parsed.message,
        progress: parsed.progress ?? null,
        serverId: parsed.serverId ?? null,
      },
    }),
  ]);
  await deps.bus.publish(operationTopic(operationId), { type: "event", event } satisfies OperationMessage);
  return event;
}

/** Stored events after `afterSeq`, in order, one page at a time. */
export async function readEventsAfter(deps: Deps, operationId: string, afterSeq: number, limit = 500): Promise<OperationEvent[]> {
  return deps.db.operationEvent.findMany({
    where: { operationId, seq: { gt: afterSeq } },
    orderBy: { seq: "asc" },
    take: limit,
  });
}
