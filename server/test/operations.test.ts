import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { appendEvent, operationTopic } from "../src/domain/operations/events.js";
import { LeaseLostError } from "../src/domain/operations/lease.js";
import { defineOperation, type OperationDescriptor } from "../src/domain/operations/operation.js";
import { startOperation } from "../src/domain/operations/start-operation.js";
import type { OperationContext } from "../src/domain/ports.js";
import { collect, startTestServer, type TestServer } from "./harness.js";

const EVENTS = `subscription($id: ID!, $after: Int) { operationEvents(operationId: $id, afterSeq: $after) { seq step message level } }`;

interface Event {
  seq: number;
  step: string;
  message: string;
  level: string;
}

/** An operation whose steps the test releases one by one, so it can subscribe at chosen points. */
class Script {
  private releases: (() => void)[] = [];
  private waiting: Promise<void>[] = [];

  constructor(readonly steps: number) {
    for (let i = 0; i < steps; i++) this.waiting.push(new Promise((resolve) => this.releases.push(resolve)));
  }

  release(step: number): void {
    this.releases[step]!();
  }

  async run(ctx: OperationContext, input: { secret?: string; fail?: boolean }): Promise<void> {
    if (input.secret) ctx.redact(input.secret);
    for (let i = 0; i < this.steps; i++) {
      await this.waiting[i];
      await ctx.emit({ step: `step-${i}`, message: `did ${i}${input.secret ? ` with ${input.secret}` : ""}`, progress: (i + 1) / this.steps });
    }
    if (input.fail) throw new Error(`broke using ${input.secret}`);
  }
}

const scripted = defineOperation({
  name: "test-scripted",
  kind: "DEPLOY",
  input: z.object({ secret: z.string().optional(), fail: z.boolean().optional() }),
  run: (_deps, ctx, input) => script.run(ctx, input),
});

// Parallel emits, as a deploy to several servers makes: numbering must still be gapless.
const burst = defineOperation({
  name: "test-burst",
  kind: "DEPLOY",
  input: z.object({ count: z.number() }),
  run: async (_deps, ctx, input) => void (await Promise.all(Array.from({ length: input.count }, (_, i) => ctx.emit({ step: "burst", message: `event ${i}` })))),
});

// Works until cancelled, checking its signal between steps as real operations do.
const patient = defineOperation({
  name: "test-patient",
  kind: "DEPLOY",
  input: z.object({}),
  async run(_deps, ctx) {
    for (let i = 0; ; i++) {
      ctx.signal.throwIfAborted();
      await ctx.emit({ step: "wait", message: `still here ${i}` });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  },
});

const recovered: string[] = [];
const recoverable = defineOperation({
  name: "test-recoverable",
  kind: "DEPLOY",
  input: z.object({ label: z.string() }),
  run: async () => {
    throw new Error("never run in these tests");
  },
  async recover(_deps, ctx, input) {
    recovered.push(input.label);
    await ctx.emit({ step: "recover", message: `put ${input.label} back` });
  },
});

let server: TestServer;
let script: Script;
beforeAll(async () => {
  server = await startTestServer({ SLIPWAY_OPERATION_LEASE_SECONDS: "2" }, undefined, { extraOperations: [scripted, burst, patient, recoverable] });
});
afterAll(async () => server?.stop());

const start = (descriptor: OperationDescriptor, input: unknown, title = "test") => startOperation(server.app.deps, descriptor, input, { title });

function globalId(id: string): string {
  return Buffer.from(`Operation:${id}`).toString("base64");
}

async function waitForSeq(operationId: string, seq: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { lastSeq } = await server.app.deps.db.operation.findUniqueOrThrow({ where: { id: operationId } });
    if (lastSeq >= seq) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`operation never reached seq ${seq}`);
}

async function waitForDelivery(values: unknown[], count: number): Promise<void> {
  for (let i = 0; i < 200 && values.length < count; i++) await new Promise((r) => setTimeout(r, 10));
  expect(values.length).toBe(count);
}

const seqs = (events: { operationEvents: Event }[]) => events.map((e) => e.operationEvents.seq);

describe("operation events", () => {
  it("give subscribers that join before, during and after the same exact sequence", async () => {
    script = new Script(6);
    const operation = await start(scripted, {});
    const id = globalId(operation.id);
    const before = collect<{ operationEvents: Event }>(server.ws(server.adminToken), EVENTS, { id });

    script.release(0);
    script.release(1);
    script.release(2);
    await waitForSeq(operation.id, 3);
    const during = collect<{ operationEvents: Event }>(server.ws(server.adminToken), EVENTS, { id });
    const resumed = collect<{ operationEvents: Event }>(server.ws(server.adminToken), EVENTS, { id, after: 2 });
    for (const step of [3, 4, 5]) script.release(step);

    const [b, d, r] = await Promise.all([before.done, during.done, resumed.done]);
    const after = await collect<{ operationEvents: Event }>(server.ws(server.adminToken), EVENTS, { id }).done;

    const all = [1, 2, 3, 4, 5, 6, 7];
    expect(seqs(b.values)).toEqual(all);
    expect(seqs(d.values)).toEqual(all);
    expect(seqs(after.values)).toEqual(all);
    expect(seqs(r.values)).toEqual([3, 4, 5, 6, 7]);
    expect(b.values).toEqual(after.values);
    expect(after.values.at(-1)!.operationEvents).toMatchObject({ step: "finished", message: "Succeeded" });
    for (const result of [b, d, r, after]) expect(result.errors).toEqual([]);
  });

  it("numbers parallel emits without gaps and streams them all to a subscriber that joins mid-burst", async () => {
    const operation = await start(burst, { count: 300 });
    const id = globalId(operation.id);
    await waitForSeq(operation.id, 40);
    const joined = await collect<{ operationEvents: Event }>(server.ws(server.adminToken), EVENTS, { id }).done;
    expect(seqs(joined.values)).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
    const stored = await server.app.deps.db.operationEvent.findMany({ where: { operationId: operation.id }, orderBy: { seq: "asc" } });
    expect(stored.map((e) => e.seq)).toEqual(seqs(joined.values));
  });

  it("fills a gap from the database when a live message never arrives", async () => {
    const { deps } = server.app;
    const owner = "gap-test-owner";
    const operation = await deps.db.operation.create({ data: { kind: "DEPLOY", title: "gap", status: "RUNNING", ownerId: owner, heartbeatAt: new Date(Date.now() + 3_600_000) } });
    const live = collect<{ operationEvents: Event }>(server.ws(server.adminToken), EVENTS, { id: globalId(operation.id) });
    await appendEvent(deps, operation.id, owner, { step: "a", message: "published" });
    await waitForDelivery(live.values, 1);
    // Stored without its bus message, as a lost Redis publish would leave it.
    await deps.db.$transaction([
      deps.db.operation.update({ where: { id: operation.id }, data: { lastSeq: 2 } }),
      deps.db.operationEvent.create({ data: { operationId: operation.id, seq: 2, step: "b", message: "stored only" } }),
    ]);
    await appendEvent(deps, operation.id, owner, { step: "c", message: "published" });
    await deps.db.operation.update({ where: { id: operation.id }, data: { status: "SUCCEEDED", finishedAt: new Date() } });
    await deps.bus.publish(operationTopic(operation.id), { type: "finished", status: "SUCCEEDED" });
    const result = await live.done;
    expect(result.values.map((e) => [e.operationEvents.seq, e.operationEvents.message])).toEqual([
      [1, "published"],
      [2, "stored only"],
      [3, "published"],
    ]);
  });

  it("finds stored events and the end on its own when no live message arrives at all, for every stream", async () => {
    const { deps } = server.app;
    const operation = await deps.db.operation.create({ data: { kind: "DEPLOY", title: "silent bus", status: "RUNNING", ownerId: "silent-owner", heartbeatAt: new Date(Date.now() + 3_600_000) } });
    const streams = [1, 2, 3].map(() => collect<{ operationEvents: Event }>(server.ws(server.adminToken), EVENTS, { id: globalId(operation.id) }));
    await new Promise((r) => setTimeout(r, 200));
    // Stored, status ended, and nothing published: only the streams' periodic checks can find them.
    await deps.db.$transaction([
      deps.db.operationEvent.create({ data: { operationId: operation.id, seq: 1, step: "a", message: "stored only" } }),
      deps.db.operationEvent.create({ data: { operationId: operation.id, seq: 2, step: "b", message: "stored too" } }),
      deps.db.operation.update({ where: { id: operation.id }, data: { lastSeq: 2, status: "SUCCEEDED", finishedAt: new Date() } }),
    ]);
    for (const { done } of await Promise.all(streams.map(async (s) => ({ done: await s.done })))) {
      expect(done.errors).toEqual([]);
      expect(done.values.map((e) => [e.operationEvents.seq, e.operationEvents.message])).toEqual([
        [1, "stored only"],
        [2, "stored too"],
      ]);
    }
  });

  it("keeps secrets out of events and errors, and reports failure as the last event", async () => {
    script = new Script(2);
    const secret = "sk_live_supersecretvalue";
    const operation = await start(scripted, { secret, fail: true });
    script.release(0);
    script.release(1);
    const result = await collect<{ operationEvents: Event }>(server.ws(server.adminToken), EVENTS, { id: globalId(operation.id) }).done;
    expect(seqs(result.values)).toEqual([1, 2, 3]);
    expect(JSON.stringify(result.values)).not.toContain(secret);
    expect(result.values[0]!.operationEvents.message).toBe("did 0 with [redacted]");
    expect(result.values[2]!.operationEvents).toMatchObject({ step: "finished", level: "ERROR", message: "Failed: broke using [redacted]" });
    const stored = await server.app.deps.db.operation.findUniqueOrThrow({ where: { id: operation.id } });
    expect(stored.status).toBe("FAILED");
    expect(stored.error).toBe("broke using [redacted]");
  });

  it("rejects a negative afterSeq and an unknown operation with clear errors", async () => {
    const negative = await collect(server.ws(server.adminToken), EVENTS, { id: globalId("00000000-0000-4000-8000-000000000000"), after: -1 }).done;
    expect(JSON.stringify(negative.errors)).toMatch(/afterSeq must be a whole number/);
    const unknown = await collect(server.ws(server.adminToken), EVENTS, { id: globalId("00000000-0000-4000-8000-000000000000") }).done;
    expect(JSON.stringify(unknown.errors)).toMatch(/Operation was not found/);
  });
});

describe("leases", () => {
  const staleRow = (label: string, heartbeatAt: Date | null) =>
    server.app.deps.db.operation.create({
      data: { kind: "DEPLOY", handler: recoverable.name, title: label, status: "RUNNING", ownerId: "a-replica-that-died", heartbeatAt, input: { label }, lastSeq: 0 },
    });

  async function waitForStatus(id: string, status: string, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const row = await server.app.deps.db.operation.findUniqueOrThrow({ where: { id } });
      if (row.status === status) return row;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`operation ${id} never became ${status}`);
  }

  it("recovers an operation whose owner stopped renewing its lease: the descriptor repairs, the operation ends INTERRUPTED, its stream ends", async () => {
    const stranded = await staleRow("stranded", new Date(Date.now() - 60_000));
    const stream = collect<{ operationEvents: Event }>(server.ws(server.adminToken), EVENTS, { id: globalId(stranded.id) });
    const ended = await waitForStatus(stranded.id, "INTERRUPTED");
    expect(ended.ownerId).toBe(server.app.deps.instanceId);
    expect(ended.error).toBe("The control plane replica running this operation stopped");
    expect(recovered).toEqual(["stranded"]);
    const { values, errors } = await stream.done;
    expect(errors).toEqual([]);
    expect(values.map((v) => [v.operationEvents.seq, v.operationEvents.step, v.operationEvents.level])).toEqual([
      [1, "recover", "WARN"],
      [2, "recover", "INFO"],
      [3, "finished", "ERROR"],
    ]);
    expect(values[0]!.operationEvents.message).toMatch(/stopped answering \(no heartbeat for \d+ s\); another replica took it over\. It is not run again\./);
    expect(values[2]!.operationEvents.message).toBe("Interrupted: The control plane replica running this operation stopped");
  });

  it("leaves an operation alone while its owner keeps renewing, and refuses every write of an owner that lost the lease", async () => {
    const alive = await staleRow("alive", new Date());
    const owner = "a-replica-that-died";
    // (A Prisma query runs only once awaited or then-ed.)
    const renew = setInterval(() => void server.app.deps.db.operation.update({ where: { id: alive.id }, data: { heartbeatAt: new Date() } }).then(() => undefined), 200);
    try {
      await new Promise((r) => setTimeout(r, 3_000)); // several sweeps
      expect((await server.app.deps.db.operation.findUniqueOrThrow({ where: { id: alive.id } })).status).toBe("RUNNING");
      await appendEvent(server.app.deps, alive.id, owner, { step: "work", message: "the owner still writes" });
    } finally {
      clearInterval(renew);
    }
    await waitForStatus(alive.id, "INTERRUPTED");
    // The old owner wakes up: its event is refused and nothing is stored.
    await expect(appendEvent(server.app.deps, alive.id, owner, { step: "work", message: "too late" })).rejects.toBeInstanceOf(LeaseLostError);
    const events = await server.app.deps.db.operationEvent.findMany({ where: { operationId: alive.id }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.message)).not.toContain("too late");
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it("cancels a running operation at its next safe point: CANCELLED, with the last event saying so", async () => {
    const operation = await start(patient, {});
    await waitForSeq(operation.id, 2);
    await server.app.deps.db.operation.update({ where: { id: operation.id }, data: { cancelRequestedAt: new Date() } });
    const ended = await waitForStatus(operation.id, "CANCELLED");
    expect(ended.error).toBe("Cancelled");
    const last = await server.app.deps.db.operationEvent.findFirstOrThrow({ where: { operationId: operation.id }, orderBy: { seq: "desc" } });
    expect(last).toMatchObject({ step: "finished", level: "WARN", message: "Cancelled" });
  });

  it("enqueues again, once, an operation left queued that no queue knows", async () => {
    const { deps } = server.app;
    script = new Script(0);
    const lost = await deps.db.operation.create({
      data: { kind: "DEPLOY", handler: scripted.name, title: "lost in the queue", input: {}, createdAt: new Date(Date.now() - 60_000) },
    });
    const ended = await waitForStatus(lost.id, "SUCCEEDED");
    expect(ended.ownerId).toBe(deps.instanceId);
    const events = await deps.db.operationEvent.findMany({ where: { operationId: lost.id } });
    expect(events.map((e) => e.message)).toEqual(["Succeeded"]);
  });
});
