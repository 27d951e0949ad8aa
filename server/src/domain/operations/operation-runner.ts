import type { Operation, OperationStatus, Prisma } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import type { EventInput, OperationContext } from "../ports.js";
import { appendEvent, operationTopic, type OperationMessage } from "./events.js";
import { fencedWrite, LeaseLostError, OperationCancelledError, OperationLease, staleBefore } from "./lease.js";
import type { OperationDescriptor, OperationRegistry } from "./operation.js";
import { RUN_OPERATION_JOB, enqueueOperation } from "./start-operation.js";

// An operation queued this long ago but known to no queue is enqueued again (the enqueue failed,
// or the queue lost it with the process that held it).
const REQUEUE_AFTER_MS = 10_000;

/**
 * Runs the operations this replica claims, and recovers those whose owner died. One per replica,
 * made in app.ts with the registry of every operation it can run.
 */
export class OperationRunner {
  private readonly leases = new Map<string, OperationLease>();

  constructor(
    private readonly deps: Deps,
    private readonly registry: OperationRegistry,
  ) {}

  /** Lets the job queue run operations here; call before the queue starts. */
  register(): void {
    this.deps.queue.register<{ operationId: string }>(RUN_OPERATION_JOB, ({ operationId }) => this.runOrRecover(operationId));
  }

  /** A job for the operation arrived: run it if it is still queued, recover it if its owner died. */
  async runOrRecover(operationId: string): Promise<void> {
    const operation = await this.deps.db.operation.findUnique({ where: { id: operationId } });
    if (!operation) return;
    if (operation.status === "QUEUED") return this.run(operation);
    // A job handed back by the queue (its worker died): the lease decides whether its owner did too.
    if (operation.status === "RUNNING" && isStale(this.deps, operation)) await this.recover(operation);
  }

  /** The periodic sweep (every few seconds): recovers operations whose lease expired, requeues lost ones. */
  async sweep(): Promise<{ recovered: number; requeued: number }> {
    const { db, clock } = this.deps;
    const stale = await db.operation.findMany({
      where: { status: "RUNNING", OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: staleBefore(this.deps) } }] },
      orderBy: { createdAt: "asc" },
      take: 50,
    });
    let recovered = 0;
    for (const operation of stale) if (await this.recover(operation)) recovered += 1;

    const waiting = await db.operation.findMany({
      where: { status: "QUEUED", createdAt: { lt: new Date(clock.now().getTime() - REQUEUE_AFTER_MS) } },
      select: { id: true },
      take: 100,
    });
    let requeued = 0;
    for (const { id } of waiting) {
      if (await this.deps.queue.has(id)) continue;
      await enqueueOperation(this.deps, id);
      requeued += 1;
    }
    if (recovered || requeued) this.deps.log.warn({ recovered, requeued }, "recovered operations whose replica stopped, requeued lost ones");
    return { recovered, requeued };
  }

  /**
   * Shutdown: the operations still running here after the grace period are handed over: their
   * leases expire now, so another replica (or this one's successor) recovers them at once.
   */
  async handOver(): Promise<number> {
    const ids = [...this.leases.keys()];
    await Promise.all([...this.leases.values()].map((lease) => lease.release()));
    if (ids.length === 0) return 0;
    await this.deps.db.operation.updateMany({
      where: { id: { in: ids }, ownerId: this.deps.instanceId, status: "RUNNING" },
      data: { heartbeatAt: new Date(0) },
    });
    return ids.length;
  }

  private async run(operation: Operation): Promise<void> {
    const { db, instanceId, clock } = this.deps;
    // Claiming QUEUED -> RUNNING in one write means a job delivered twice runs once.
    const claimed = await db.operation.updateMany({
      where: { id: operation.id, status: "QUEUED" },
      data: { status: "RUNNING", ownerId: instanceId, heartbeatAt: clock.now(), startedAt: clock.now() },
    });
    if (claimed.count !== 1) return;
    await this.withLease(operation.id, async (ctx, lease) => {
      announceCancelNoticed(ctx, lease.signal);
      let status: OperationStatus = "SUCCEEDED";
      let error: string | null = null;
      try {
        const descriptor = this.descriptorOf(operation);
        if (operation.cancelRequestedAt) throw new OperationCancelledError();
        await descriptor.run(this.deps, ctx, descriptor.input.parse(operation.input));
      } catch (caught) {
        if (caught instanceof LeaseLostError || lease.signal.reason instanceof LeaseLostError) return;
        const cancelled = caught instanceof OperationCancelledError || lease.signal.reason instanceof OperationCancelledError;
        status = cancelled ? "CANCELLED" : "FAILED";
        error = ctx.scrub(caught instanceof Error ? caught.message : String(caught));
      }
      await ctx.emit(finalEvent(status, error));
      await this.finish(operation.id, status, error);
    });
  }

  /** Takes over an operation whose lease expired, lets its descriptor repair what it touched, ends it INTERRUPTED. */
  private async recover(operation: Operation): Promise<boolean> {
    const { db, instanceId, clock } = this.deps;
    const taken = await db.operation.updateMany({
      where: { id: operation.id, status: "RUNNING", OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: staleBefore(this.deps) } }] },
      data: { ownerId: instanceId, heartbeatAt: clock.now() },
    });
    if (taken.count !== 1) return false;
    await this.withLease(operation.id, async (ctx) => {
      const silentFor = operation.heartbeatAt ? `${Math.round((clock.now().getTime() - operation.heartbeatAt.getTime()) / 1000)} s` : "ever";
      await ctx.emit({ step: "recover", level: "WARN", message: `The replica running this operation stopped answering (no heartbeat for ${silentFor}); another replica took it over. It is not run again.` });
      const descriptor = this.registry.get(operation.handler);
      if (descriptor?.recover) {
        try {
          await descriptor.recover(this.deps, ctx, descriptor.input.parse(operation.input));
        } catch (error) {
          if (error instanceof LeaseLostError) return;
          await ctx.emit({ step: "recover", level: "ERROR", message: `Recovery failed: ${ctx.scrub((error as Error).message)}` });
        }
      }
      const reason = "The control plane replica running this operation stopped";
      await ctx.emit({ step: "finished", level: "ERROR", message: `Interrupted: ${reason}` });
      await this.finish(operation.id, "INTERRUPTED", reason);
    });
    return true;
  }

  private async withLease(operationId: string, work: (ctx: EventWriter, lease: OperationLease) => Promise<void>): Promise<void> {
    const lease = new OperationLease(this.deps, operationId);
    this.leases.set(operationId, lease);
    try {
      await work(new EventWriter(this.deps, operationId, lease), lease);
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      this.deps.log.warn({ operationId }, "stopped an operation another replica took over");
    } finally {
      this.leases.delete(operationId);
      await lease.release();
    }
  }

  /** Marks the end (after the last event is stored), fenced on the lease, and tells live subscribers. */
  private async finish(operationId: string, status: OperationStatus, error: string | null): Promise<void> {
    const { db, instanceId, clock } = this.deps;
    const ended = await db.operation.updateMany({
      where: { id: operationId, ownerId: instanceId, status: "RUNNING" },
      data: { status, error, finishedAt: clock.now(), heartbeatAt: null },
    });
    if (ended.count === 1) await this.deps.bus.publish(operationTopic(operationId), { type: "finished", status } satisfies OperationMessage);
  }

  private descriptorOf(operation: Operation): OperationDescriptor {
    const descriptor = this.registry.get(operation.handler);
    if (!descriptor) throw new Error(`This control plane has no operation named "${operation.handler}"`);
    return descriptor;
  }
}

function isStale(deps: Deps, operation: Operation): boolean {
  return !operation.heartbeatAt || operation.heartbeatAt < staleBefore(deps);
}

/** Tells the operation's followers the moment its run learns of a cancel request, before it stops. */
function announceCancelNoticed(ctx: OperationContext, signal: AbortSignal): void {
  signal.addEventListener("abort", () => {
    if (!(signal.reason instanceof OperationCancelledError)) return;
    // Best effort: a run that lost its lease meanwhile has nothing more to say.
    ctx.emit({ step: "cancel", level: "WARN", message: "Stopping at the next safe point" }).catch(() => undefined);
  }, { once: true });
}

function finalEvent(status: OperationStatus, error: string | null): EventInput {
  if (status === "SUCCEEDED") return { step: "finished", message: "Succeeded", level: "INFO", progress: 1 };
  if (status === "CANCELLED") return { step: "finished", message: "Cancelled", level: "WARN" };
  return { step: "finished", message: `Failed: ${error}`, level: "ERROR" };
}

/**
 * The context a running operation reports through. Writes its events one at a time, so their
 * order follows the order of `emit` calls even when parallel steps (one per server) report at
 * once, and replaces every registered secret before anything is stored.
 */
class EventWriter implements OperationContext {
  private readonly secrets = new Set<string>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: Deps,
    readonly operationId: string,
    private readonly lease: OperationLease,
  ) {}

  get signal(): AbortSignal {
    return this.lease.signal;
  }

  redact(secret: string): void {
    if (secret.length > 0) this.secrets.add(secret);
  }

  scrub(text: string): string {
    let clean = text;
    for (const secret of this.secrets) clean = clean.split(secret).join("[redacted]");
    return clean;
  }

  emit(event: EventInput): Promise<void> {
    const write = this.tail.then(() => appendEvent(this.deps, this.operationId, this.lease.ownerId, { ...event, message: this.scrub(event.message) }));
    this.tail = write.catch(() => undefined);
    return write.then(() => undefined);
  }

  fenced<T>(write: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return fencedWrite(this.deps, this.operationId, this.lease.ownerId, write);
  }
}
