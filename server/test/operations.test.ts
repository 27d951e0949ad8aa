import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendEvent } from "../src/domain/operations/events.js";
import { finishOperation, registerOperation, startOperation, type OperationContext } from "../src/domain/operations/run-operation.js";
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

let server: TestServer;
let script: Script;
beforeAll(async () => {
  server = await startTestServer();
  registerOperation(server.app.deps, "scripted", (ctx, input: { secret?: string; fail?: boolean }) => script.run(ctx, input));
  registerOperation(server.app.deps, "burst", async (ctx, input: { count: number }) => {
    // Parallel emits, as a deploy to several servers makes: numbering must still be gapless.
    await Promise.all(Array.from({ length: input.count }, (_, i) => ctx.emit({ step: "burst", message: `event ${i}` })));
  });
});
afterAll(async () => server?.stop());

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
    const operation = await startOperation(server.app.deps, { handler: "scripted", kind: "DEPLOY", title: "scripted", input: {} });
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
    const operation = await startOperation(server.app.deps, { handler: "burst", kind: "DEPLOY", title: "burst", input: { count: 300 } });
    const id = globalId(operation.id);
    await waitForSeq(operation.id, 40);
    const joined = await collect<{ operationEvents: Event }>(server.ws(server.adminToken), EVENTS, { id }).done;
    expect(seqs(joined.values)).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
    const stored = await server.app.deps.db.operationEvent.findMany({ where: { operationId: operation.id }, orderBy: { seq: "asc" } });
    expect(stored.map((e) => e.seq)).toEqual(seqs(joined.values));
  });

  it("fills a gap from the database when a live message never arrives", async () => {
    const { deps } = server.app;
    const operation = await deps.db.operation.create({ data: { kind: "DEPLOY", title: "gap", status: "RUNNING" } });
    const live = collect<{ operationEvents: Event }>(server.ws(server.adminToken), EVENTS, { id: globalId(operation.id) });
    await appendEvent(deps, operation.id, 1, { step: "a", message: "published" });
    await waitForDelivery(live.values, 1);
    // Stored without its bus message, as a lost Redis publish would leave it.
    await deps.db.$transaction([
      deps.db.operation.update({ where: { id: operation.id }, data: { lastSeq: 2 } }),
      deps.db.operationEvent.create({ data: { operationId: operation.id, seq: 2, step: "b", message: "stored only" } }),
    ]);
    await appendEvent(deps, operation.id, 3, { step: "c", message: "published" });
    await finishOperation(deps, operation.id, "SUCCEEDED", null);
    const result = await live.done;
    expect(result.values.map((e) => [e.operationEvents.seq, e.operationEvents.message])).toEqual([
      [1, "published"],
      [2, "stored only"],
      [3, "published"],
    ]);
  });

  it("keeps secrets out of events and errors, and reports failure as the last event", async () => {
    script = new Script(2);
    const secret = "sk_live_supersecretvalue";
    const operation = await startOperation(server.app.deps, {
      handler: "scripted", kind: "DEPLOY", title: "secret", input: { secret, fail: true },
    });
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

describe("a restart", () => {
  it("marks operations the previous process left running as interrupted, and their stream ends", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "slipway-restart-"));
    const restarted = await startTestServer({}, dataDir);
    try {
      const { deps } = restarted.app;
      const stranded = await deps.db.operation.create({ data: { kind: "PROVISION", title: "stranded", status: "RUNNING", lastSeq: 0 } });
      await restarted.stop();
      const again = await startTestServer({}, dataDir);
      try {
        const operation = await again.app.deps.db.operation.findUniqueOrThrow({ where: { id: stranded.id } });
        expect(operation.status).toBe("INTERRUPTED");
        const events = await collect<{ operationEvents: Event }>(again.ws(again.adminToken), EVENTS, { id: globalId(stranded.id) }).done;
        expect(events.values.map((e) => e.operationEvents)).toEqual([
          { seq: 1, step: "finished", level: "ERROR", message: "Interrupted: The control plane stopped while this operation was running" },
        ]);
      } finally {
        await again.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    } catch (error) {
      await restarted.stop().catch(() => undefined);
      throw error;
    }
  });
});
