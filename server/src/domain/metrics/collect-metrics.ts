// The scheduled collection (every SLIPWAY_METRICS_INTERVAL_SECONDS): each server's agent is asked
// for its counters, and the differences since the previous answer are stored. Each server's slot
// is claimed in the database first (one conditional write), so a slot runs once cluster-wide
// however often the task is run; an answer is stored only if the claim still holds, so a slow
// run that a later slot overtook stores nothing. A server that does not answer gets gap rows and
// is shown as unreachable until the lost-server check sees it again.
import type { AccessLogCursor } from "@slipway/agent/protocol";
import type { Prisma, Server } from "../../generated/prisma/client.js";
import { AgentRequestError } from "../../integrations/agent-client/agent-client.js";
import type { Deps } from "../deps.js";
import { mapBounded } from "../deployments/bounded.js";
import { agentServiceName } from "../deployments/release-config.js";
import { isUniqueViolation } from "../projects/projects.js";
import { markServerUnreachable } from "../servers/server-reachability.js";
import { samplesFrom, type CollectorState, type Counters, type ServiceOnServer } from "./metric-samples.js";

const CONCURRENCY = 8;
export const RAW_STEP = 0;

export type CollectionOutcome = "collected" | "unreachable" | "skipped";

class ClaimLost extends Error {}

/** One collection round over every server that has an agent; returns what happened to each. */
export async function collectMetrics(deps: Deps): Promise<Record<CollectionOutcome, number>> {
  const slot = slotStart(deps.clock.now(), deps.config.metrics.intervalMs);
  const servers = await deps.db.server.findMany({
    where: { status: { in: ["ACTIVE", "UNREACHABLE"] }, agentTokenCiphertext: { not: null } },
    include: { services: { include: { service: { include: { project: true } } } } },
  });
  const outcomes = await mapBounded(servers, CONCURRENCY, (server) =>
    collectServer(deps, server, server.services.map((s) => ({ serviceId: s.serviceId, agentName: agentServiceName(s.service) })), slot).catch(
      (error: unknown): CollectionOutcome => {
        deps.log.warn({ err: error, serverId: server.id }, "metrics collection of a server failed");
        return "skipped";
      },
    ),
  );
  const counts: Record<CollectionOutcome, number> = { collected: 0, unreachable: 0, skipped: 0 };
  for (const outcome of outcomes) counts[outcome] += 1;
  return counts;
}

/** The start of the collection slot `now` falls in. */
export function slotStart(now: Date, intervalMs: number): Date {
  return new Date(Math.floor(now.getTime() / intervalMs) * intervalMs);
}

export async function collectServer(deps: Deps, server: Server, services: ServiceOnServer[], slot: Date): Promise<CollectionOutcome> {
  const state = await claimSlot(deps, server, slot);
  if (!state) return "skipped";
  const previous = collectorState(state);
  let answer;
  try {
    answer = await withTimeout(deps.servers.metrics(server.id, { accessLogCursors: previous.logCursors }), answerTimeoutMs(deps), server.name);
  } catch (error) {
    // An agent from before metrics answers 404: the server is there, it just cannot say more.
    const oldAgent = error instanceof AgentRequestError && error.status === 404;
    await storeGap(deps, server, services, slot, oldAgent ? `The agent (${server.agentVersion ?? "unknown version"}) has no metrics endpoint: upgrade it` : (error as Error).message, oldAgent);
    if (!oldAgent) {
      await markServerUnreachable(deps, server.id);
      return "unreachable";
    }
    await seen(deps, server.id);
    return "collected";
  }
  const samples = samplesFrom(previous, answer, services);
  try {
    await deps.db.$transaction(async (tx) => {
      await keepClaim(tx, server.id, slot, {
        sampledAt: new Date(answer.sampledAt),
        counters: samples.next.counters as unknown as Prisma.InputJsonValue,
        logCursors: samples.next.logCursors as unknown as Prisma.InputJsonValue,
      });
      await tx.serverMetric.create({ data: { serverId: server.id, step: RAW_STEP, at: slot, ...samples.server } });
      if (samples.services.length > 0) {
        await tx.serviceMetric.createMany({
          data: samples.services.map(({ latencyHistogram, ...sample }) => ({
            ...sample,
            serverId: server.id,
            step: RAW_STEP,
            at: slot,
            latencyHistogram: latencyHistogram ?? undefined,
          })),
        });
      }
    });
  } catch (error) {
    if (error instanceof ClaimLost) return "skipped";
    throw error;
  }
  await seen(deps, server.id);
  return "collected";
}

/**
 * It answered: last seen now. A server marked unreachable stays so until the lost-server check
 * (servers/reconcile-servers.ts) has recorded what it runs and brought it in line.
 */
async function seen(deps: Deps, serverId: string): Promise<void> {
  await deps.db.server.updateMany({ where: { id: serverId }, data: { lastSeenAt: deps.clock.now() } });
}

/** Claims the server's slot; null when this slot (or a later one) is already someone else's. */
async function claimSlot(deps: Deps, server: Server, slot: Date) {
  const { db } = deps;
  try {
    await db.serverMetricsState.upsert({ where: { serverId: server.id }, create: { serverId: server.id, serverName: server.name }, update: { serverName: server.name } });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // another replica created it at the same moment
  }
  const claimed = await db.serverMetricsState.updateMany({
    where: { serverId: server.id, OR: [{ slotAt: null }, { slotAt: { lt: slot } }] },
    data: { slotAt: slot },
  });
  if (claimed.count !== 1) return null;
  return db.serverMetricsState.findUnique({ where: { serverId: server.id } });
}

/** Inside the transaction that stores a collection: it goes ahead only while the slot is still ours. */
async function keepClaim(tx: Prisma.TransactionClient, serverId: string, slot: Date, data: Prisma.ServerMetricsStateUpdateManyMutationInput = {}): Promise<void> {
  const kept = await tx.serverMetricsState.updateMany({ where: { serverId, slotAt: slot }, data: { ...data, updatedAt: new Date() } });
  if (kept.count !== 1) throw new ClaimLost();
}

/** A collection without figures: the server did not answer (a gap), or answered without metrics (`reachable`). */
async function storeGap(deps: Deps, server: Server, services: ServiceOnServer[], slot: Date, reason: string, reachable = false): Promise<void> {
  const error = reason.slice(0, 300);
  try {
    await deps.db.$transaction(async (tx) => {
      await keepClaim(tx, server.id, slot);
      await tx.serverMetric.create({ data: { serverId: server.id, step: RAW_STEP, at: slot, reachable, error } });
      if (services.length > 0) {
        await tx.serviceMetric.createMany({ data: services.map((s) => ({ serviceId: s.serviceId, serverId: server.id, step: RAW_STEP, at: slot, reachable })) });
      }
    });
  } catch (caught) {
    if (!(caught instanceof ClaimLost)) throw caught;
  }
}

function collectorState(row: { sampledAt: Date | null; counters: unknown; logCursors: unknown }): CollectorState {
  return {
    sampledAt: row.sampledAt?.getTime() ?? null,
    counters: (row.counters as Counters | null) ?? null,
    logCursors: (row.logCursors as Record<string, AccessLogCursor> | null) ?? {},
  };
}

/** Long enough for a first SSH handshake, short enough not to run into the next slots. */
function answerTimeoutMs(deps: Deps): number {
  return Math.min(20_000, Math.max(5_000, deps.config.metrics.intervalMs));
}

async function withTimeout<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
