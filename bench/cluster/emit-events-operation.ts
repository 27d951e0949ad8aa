// A bench-only operation (never registered by the product): after `startAfterMs` (time for
// subscribers to connect), emits `count` events, one every `intervalMs`, each saying which replica
// emitted it and when (epoch ms), so a subscriber anywhere can measure emit-to-delivery latency.
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineOperation } from "../../server/src/domain/operations/operation.js";

export const emitEventsOperation = defineOperation({
  name: "bench-emit-events",
  kind: "CLEANUP",
  input: z.object({
    count: z.number().int().min(1).max(100_000),
    intervalMs: z.number().min(0).max(60_000),
    startAfterMs: z.number().min(0).max(600_000).default(0),
  }),
  async run(_deps, ctx, input) {
    const replica = process.env.PORT ?? "?";
    await sleep(input.startAfterMs, undefined, { signal: ctx.signal });
    for (let i = 1; i <= input.count; i++) {
      await ctx.emit({ step: "bench", message: `${replica} ${i} ${Date.now()}` });
      if (input.intervalMs > 0) await sleep(input.intervalMs, undefined, { signal: ctx.signal });
    }
  },
});

/** What an event of this operation says: the emitting replica's port, its number, and when it was emitted. */
export function parseBenchEvent(message: string): { replica: string; n: number; emittedAt: number } | null {
  const [replica, n, at] = message.split(" ");
  if (!replica || !n || !at || !/^\d+$/.test(at)) return null;
  return { replica, n: Number(n), emittedAt: Number(at) };
}
