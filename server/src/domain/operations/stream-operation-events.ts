import type { OperationEvent } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { operationTopic, readEventsAfter, reviveEvent, TERMINAL_STATUSES, type OperationMessage } from "./events.js";

// The bus may drop a message (Redis pub/sub is at-most-once); this often, the stream checks the
// database on its own, so a lost message delays an event but never loses it.
const RECONCILE_INTERVAL_MS = 2_000;
// Streams of one operation on one replica share those checks: one read serves every stream that
// asks within this long (1,000 idle subscribers cost a few reads a second, not 1,000).
const SHARED_CHECK_MS = 1_000;

/**
 * Every event of an operation after `afterSeq`: first the stored ones, then live ones as they
 * happen, each exactly once and in sequence order; ends when the operation has ended.
 *
 * It subscribes before reading the database, so an event written during the replay is either in
 * the replay or arrives live; anything live that is not the next expected sequence number sends
 * the stream back to the database to fill the gap, and duplicates are dropped by number.
 */
export async function* streamOperationEvents(deps: Deps, operationId: string, afterSeq = 0): AsyncGenerator<OperationEvent> {
  const live = deps.bus.subscribe<OperationMessage>(operationTopic(operationId));
  const messages = live[Symbol.asyncIterator]();
  let delivered = afterSeq;

  async function* catchUp(): AsyncGenerator<OperationEvent> {
    while (true) {
      const page = await readEventsAfter(deps, operationId, delivered);
      for (const event of page) {
        delivered = event.seq;
        yield event;
      }
      if (page.length === 0) return;
    }
  }

  async function hasEnded(): Promise<boolean> {
    const operation = await deps.db.operation.findUnique({ where: { id: operationId }, select: { status: true } });
    if (!operation) throw new NotFoundError("Operation");
    return TERMINAL_STATUSES.has(operation.status);
  }

  try {
    await live.ready;
    // Read the status before replaying: if it had ended then, the replay holds every event.
    const endedBeforeReplay = await hasEnded();
    yield* catchUp();
    if (endedBeforeReplay) return;

    let pending = messages.next();
    while (true) {
      const outcome = await Promise.race([pending, delay(RECONCILE_INTERVAL_MS)]);
      if (outcome === TIMED_OUT) {
        // Ended (every event was stored before) or behind: read the rest. Otherwise nothing to do.
        const { ended, lastSeq } = await sharedChecks(deps).check(operationId);
        if (ended || lastSeq > delivered) yield* catchUp();
        if (ended) return;
        continue;
      }
      pending = messages.next();
      if (outcome.done) return;
      const message = outcome.value;
      if (message.type === "event" && message.event.seq === delivered + 1) {
        delivered = message.event.seq;
        yield reviveEvent(message.event);
      } else if (message.type === "event" && message.event.seq <= delivered) {
        continue;
      } else {
        // A gap, or the end: the database has everything up to here.
        yield* catchUp();
        if (message.type === "finished") return;
      }
    }
  } finally {
    live.close();
  }
}

const TIMED_OUT = Symbol("timed out");

interface OperationProgress {
  ended: boolean;
  lastSeq: number;
}

/** One replica's recent reads of operations' progress, shared by its streams (see SHARED_CHECK_MS). */
class SharedProgressChecks {
  private readonly recent = new Map<string, Promise<OperationProgress>>();

  constructor(private readonly deps: Deps) {}

  check(operationId: string): Promise<OperationProgress> {
    let read = this.recent.get(operationId);
    if (!read) {
      read = this.deps.db.operation
        .findUnique({ where: { id: operationId }, select: { status: true, lastSeq: true } })
        .then((operation) => {
          if (!operation) throw new NotFoundError("Operation");
          return { ended: TERMINAL_STATUSES.has(operation.status), lastSeq: operation.lastSeq };
        });
      this.recent.set(operationId, read);
      const forget = () => setTimeout(() => this.recent.delete(operationId), SHARED_CHECK_MS).unref();
      read.then(forget, forget);
    }
    return read;
  }
}

// Per replica: keyed by the replica's deps, so every buildApp() (and every test's) has its own.
const sharedChecksByReplica = new WeakMap<Deps, SharedProgressChecks>();

function sharedChecks(deps: Deps): SharedProgressChecks {
  let checks = sharedChecksByReplica.get(deps);
  if (!checks) sharedChecksByReplica.set(deps, (checks = new SharedProgressChecks(deps)));
  return checks;
}

function delay(ms: number): Promise<typeof TIMED_OUT> {
  return new Promise((resolve) => setTimeout(resolve, ms, TIMED_OUT).unref());
}

/** Checks the request eagerly (so a bad one fails before any stream starts), then streams. */
export async function subscribeToOperationEvents(deps: Deps, operationId: string, afterSeq: number): Promise<AsyncIterable<OperationEvent>> {
  if (!Number.isInteger(afterSeq) || afterSeq < 0) {
    throw new ValidationError("afterSeq must be a whole number, 0 or more", [{ path: ["afterSeq"], message: "must be 0 or more" }]);
  }
  const exists = await deps.db.operation.count({ where: { id: operationId } });
  if (!exists) throw new NotFoundError("Operation");
  return streamOperationEvents(deps, operationId, afterSeq);
}
