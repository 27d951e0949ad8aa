import { z } from "zod";

// Faults injected on demand, so clients can be tested against a provider that misbehaves.
// Request faults ("error", "hang", "rate-limit") act on the next matching API calls; other
// kinds are defined by a simulator (e.g. DigitalOcean's "action-error") and consumed by it.

export const faultRuleSchema = z.object({
  kind: z.string().min(1),
  /** How many matching events the fault applies to. */
  times: z.number().int().positive().default(1),
  /** HTTP status for kind "error" (default 500). */
  status: z.number().int().min(400).max(599).optional(),
  /** Only events whose target (request "METHOD /path", or a droplet name) matches this regex. */
  match: z.string().optional(),
  /** For kind "rate-limit": the seconds its 429 tells the client to wait (default 1). */
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultRuleInput = z.input<typeof faultRuleSchema>;

export type RequestFault =
  | { kind: "error"; status: number }
  | { kind: "hang" }
  | { kind: "rate-limit"; retryAfterSeconds: number };

export class FaultController {
  private rules: FaultRule[] = [];

  inject(input: FaultRuleInput): FaultRule {
    const rule = faultRuleSchema.parse(input);
    if (rule.match !== undefined) new RegExp(rule.match); // reject a bad regex now, not on use
    this.rules.push(rule);
    return rule;
  }

  /** The next `times` requests (optionally matching `match` against "METHOD /path") fail with `status`. */
  failNext(times = 1, options: { status?: number; match?: string } = {}): FaultRule {
    return this.inject({ kind: "error", times, ...options });
  }

  /** The next `times` requests never get a response. */
  hangNext(times = 1, options: { match?: string } = {}): FaultRule {
    return this.inject({ kind: "hang", times, ...options });
  }

  /** The next `times` requests get a 429 regardless of the real budget (retry after 1 s unless told). */
  rateLimitNext(times = 1, options: { match?: string; retryAfterSeconds?: number } = {}): FaultRule {
    return this.inject({ kind: "rate-limit", times, ...options });
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
  }

  /** Consumes one use of the oldest rule of one of `kinds` whose pattern matches `target`. */
  take(kinds: string | readonly string[], target: string): FaultRule | undefined {
    const wanted = typeof kinds === "string" ? [kinds] : kinds;
    const rule = this.rules.find(
      (r) => wanted.includes(r.kind) && (r.match === undefined || new RegExp(r.match).test(target)),
    );
    if (!rule) return undefined;
    rule.times -= 1;
    if (rule.times <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule;
  }

  /** The request fault, if any, for the call `METHOD /path`. */
  takeRequestFault(method: string, path: string): RequestFault | undefined {
    const rule = this.take(["error", "hang", "rate-limit"], `${method} ${path}`);
    if (!rule) return undefined;
    if (rule.kind === "error") return { kind: "error", status: rule.status ?? 500 };
    if (rule.kind === "rate-limit") return { kind: "rate-limit", retryAfterSeconds: rule.retryAfterSeconds ?? 1 };
    return { kind: "hang" };
  }
}
