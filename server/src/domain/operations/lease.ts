// An operation runs on one replica at a time. The replica that claims it holds a lease: it renews
// `heartbeatAt` every quarter of the lease, and every write it makes (events, the final status)
// is fenced on still holding it. A replica that dies stops renewing; once the lease has expired,
// any replica may take the operation over (recover-operation.ts). A replica that was only slow
// finds its next write refused and stops.
import type { Prisma } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";

export class LeaseLostError extends Error {
  override name = "LeaseLostError";
  constructor(operationId: string) {
    super(`This replica no longer holds the lease of operation ${operationId}; another one took it over`);
  }
}

/** Thrown into a run when someone cancelled it (cancelDeployment). */
export class OperationCancelledError extends Error {
  override name = "OperationCancelledError";
  constructor() {
    super("Cancelled");
  }
}

/** Prisma's "record to update not found" (P2025): a fenced write whose condition no longer held. */
export function isRecordNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2025";
}

/** Operations whose owner has not renewed since this moment are up for recovery. */
export function staleBefore(deps: Deps): Date {
  return new Date(deps.clock.now().getTime() - deps.config.operationLeaseMs);
}

/**
 * The lease this replica holds on one running operation: renews it, and aborts `signal` when the
 * lease is lost or a cancel was requested, so the run stops at its next safe point.
 */
export class OperationLease {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: Deps,
    readonly operationId: string,
  ) {
    this.timer = setInterval(() => {
      this.renewing = this.renew().catch((error: unknown) => deps.log.warn({ err: error, operationId }, "could not renew an operation lease"));
    }, Math.max(100, Math.floor(deps.config.operationLeaseMs / 4)));
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get ownerId(): string {
    return this.deps.instanceId;
  }

  /** Stops renewing; the lease then expires unless the operation ended meanwhile. */
  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
  }

  /** Stops the run without waiting for a heartbeat (graceful shutdown hands the operation over). */
  abort(reason: Error): void {
    if (!this.signal.aborted) this.controller.abort(reason);
  }

  private async renew(): Promise<void> {
    if (this.signal.aborted) return;
    const { db, instanceId, clock } = this.deps;
    const renewed = await db.operation.updateMany({
      where: { id: this.operationId, ownerId: instanceId, status: "RUNNING" },
      data: { heartbeatAt: clock.now() },
    });
    if (renewed.count === 0) return this.abort(new LeaseLostError(this.operationId));
    const row = await db.operation.findUnique({ where: { id: this.operationId }, select: { cancelRequestedAt: true } });
    if (row?.cancelRequestedAt) this.abort(new OperationCancelledError());
  }
}

/**
 * Writes in one transaction that first touches the operation's row on the condition that
 * `ownerId` still holds its lease. The touch also locks the row until commit (PostgreSQL; SQLite
 * has one writer at a time anyway), so a takeover cannot slip in between the check and the writes.
 */
export async function fencedWrite<T>(deps: Deps, operationId: string, ownerId: string, write: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  try {
    return await deps.db.$transaction(async (tx) => {
      await tx.operation.update({ where: { id: operationId, ownerId, status: "RUNNING" }, data: { heartbeatAt: deps.clock.now() }, select: { id: true } });
      return write(tx);
    });
  } catch (error) {
    if (isRecordNotFound(error)) throw new LeaseLostError(operationId);
    throw error;
  }
}
