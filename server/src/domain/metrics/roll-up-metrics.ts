// The scheduled roll-up (every minute): every complete minute of raw collections becomes one row
// per server (and per service and server), then whatever is past its retention is deleted: raw rows
// after SLIPWAY_METRICS_RAW_RETENTION_HOURS, minute rows after SLIPWAY_METRICS_MINUTE_RETENTION_DAYS,
// autoscaling decisions that changed nothing after a day. How far roll-ups went is one row,
// advanced by a conditional write in the same transaction as the rows it covers: a minute is
// rolled up once, whichever replica runs the task, and a run that dies leaves nothing half done.
import type { Prisma } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { isUniqueViolation } from "../projects/projects.js";
import { mergeServerRows, mergeServiceRows } from "./aggregate.js";
import { RAW_STEP } from "./collect-metrics.js";

export const MINUTE_STEP = 60;
const MINUTE_MS = 60_000;
const STATE_ID = "minute";
/** At most this many minutes per run, so that one transaction stays small after a long pause. */
const MAX_MINUTES_PER_RUN = 60;
/** Decisions that changed nothing are a short history. */
export const IDLE_DECISION_RETENTION_MS = 24 * 3_600_000;

export async function rollUpMetrics(deps: Deps): Promise<{ minutes: number }> {
  const minutes = await rollUpMinutes(deps);
  await applyRetention(deps);
  return { minutes };
}

async function rollUpMinutes(deps: Deps): Promise<number> {
  const { db, config } = deps;
  const now = deps.clock.now().getTime();
  // A minute is complete once its last collection can no longer arrive.
  const upTo = floorMinute(now - config.metrics.intervalMs - 30_000);
  const state = await db.metricRollup.findUnique({ where: { id: STATE_ID } }) ?? (await startRollups(deps, upTo));
  if (!state) return 0;
  const from = Math.max(state.through.getTime(), floorMinute(now - config.metrics.rawRetentionMs));
  const to = Math.min(upTo, from + MAX_MINUTES_PER_RUN * MINUTE_MS);
  if (to <= from) return 0;

  return db.$transaction(
    async (tx) => {
      const claimed = await tx.metricRollup.updateMany({ where: { id: STATE_ID, through: state.through }, data: { through: new Date(to) } });
      if (claimed.count !== 1) return 0; // another replica rolled these minutes up
      const range = { step: RAW_STEP, at: { gte: new Date(from), lt: new Date(to) } };
      const [serverRows, serviceRows] = await Promise.all([
        tx.serverMetric.findMany({ where: range }),
        tx.serviceMetric.findMany({ where: range }),
      ]);
      const servers = groupBy(serverRows, (r) => `${r.serverId}|${floorMinute(r.at.getTime())}`);
      const services = groupBy(serviceRows, (r) => `${r.serviceId}|${r.serverId}|${floorMinute(r.at.getTime())}`);
      if (servers.size > 0) {
        await tx.serverMetric.createMany({
          data: [...servers.values()].map((rows) => ({ serverId: rows[0]!.serverId, step: MINUTE_STEP, at: new Date(floorMinute(rows[0]!.at.getTime())), ...mergeServerRows(rows) })),
        });
      }
      if (services.size > 0) {
        await tx.serviceMetric.createMany({
          data: [...services.values()].map((rows) => {
            const { latencyHistogram, ...merged } = mergeServiceRows(rows);
            return {
              serviceId: rows[0]!.serviceId,
              serverId: rows[0]!.serverId,
              step: MINUTE_STEP,
              at: new Date(floorMinute(rows[0]!.at.getTime())),
              ...merged,
              latencyHistogram: (latencyHistogram ?? undefined) as Prisma.InputJsonValue | undefined,
            };
          }),
        });
      }
      return (to - from) / MINUTE_MS;
    },
    { timeout: 60_000 },
  );
}

/** The first run starts at the oldest raw row (or now); another replica may have just done it. */
async function startRollups(deps: Deps, upTo: number) {
  const oldest = await deps.db.serverMetric.findFirst({ where: { step: RAW_STEP }, orderBy: { at: "asc" }, select: { at: true } });
  try {
    return await deps.db.metricRollup.create({ data: { id: STATE_ID, through: new Date(oldest ? floorMinute(oldest.at.getTime()) : upTo) } });
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

async function applyRetention(deps: Deps): Promise<void> {
  const { db, config } = deps;
  const now = deps.clock.now().getTime();
  const rawBefore = new Date(now - config.metrics.rawRetentionMs);
  const minuteBefore = new Date(now - config.metrics.minuteRetentionMs);
  await db.serverMetric.deleteMany({ where: { step: RAW_STEP, at: { lt: rawBefore } } });
  await db.serviceMetric.deleteMany({ where: { step: RAW_STEP, at: { lt: rawBefore } } });
  await db.serverMetric.deleteMany({ where: { step: MINUTE_STEP, at: { lt: minuteBefore } } });
  await db.serviceMetric.deleteMany({ where: { step: MINUTE_STEP, at: { lt: minuteBefore } } });
  await db.autoscaleDecision.deleteMany({
    where: { OR: [{ action: "NONE", at: { lt: new Date(now - IDLE_DECISION_RETENTION_MS) } }, { at: { lt: minuteBefore } }] },
  });
  // A removed server's name is kept (for its lines on the charts) as long as its figures are.
  const servers = new Set((await db.server.findMany({ select: { id: true } })).map((s) => s.id));
  const stale = await db.serverMetricsState.findMany({ where: { updatedAt: { lt: minuteBefore } }, select: { serverId: true } });
  const gone = stale.map((s) => s.serverId).filter((id) => !servers.has(id));
  if (gone.length > 0) await db.serverMetricsState.deleteMany({ where: { serverId: { in: gone } } });
}

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
