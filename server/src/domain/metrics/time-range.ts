// The time range and step of a metrics query, checked and aligned: buckets start at multiples of
// the step, so two charts of the same range line up. Pure.
import { z } from "zod";
import { ValidationError } from "../errors.js";
import { parseInput } from "../validation.js";

export const MAX_POINTS = 1440;
const DEFAULT_SPAN_MS = 3_600_000;
/** Steps chosen when none is asked for: about 240 points or fewer. */
const NICE_STEPS = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];
const TARGET_POINTS = 240;

export interface TimeRange {
  from: Date;
  to: Date;
  stepSeconds: number;
  /** How many buckets: [from + i × step, from + (i + 1) × step) for i in 0..bucketCount-1. */
  bucketCount: number;
}

const RangeInput = z
  .object({
    from: z.date().optional(),
    to: z.date().optional(),
    stepSeconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict();

export type RangeInput = z.input<typeof RangeInput>;

/**
 * Last hour by default, up to now. A range longer than what is kept (minute retention) or with
 * more than MAX_POINTS buckets is refused; without a step, the smallest nice one that gives about
 * 240 points and is no finer than the collection interval.
 */
export function resolveTimeRange(input: RangeInput, options: { now: Date; intervalMs: number; retentionMs: number }): TimeRange {
  const parsed = parseInput(RangeInput, input);
  const to = parsed.to ?? options.now;
  const from = parsed.from ?? new Date(to.getTime() - DEFAULT_SPAN_MS);
  const span = to.getTime() - from.getTime();
  if (span <= 0) throw rangeError("from", "must be before to");
  if (span > options.retentionMs + 86_400_000) throw rangeError("from", `figures are kept ${Math.round(options.retentionMs / 86_400_000)} days; ask for a shorter range`);
  const minimum = Math.max(1, Math.ceil(options.intervalMs / 1000));
  const stepSeconds = parsed.stepSeconds ?? NICE_STEPS.find((s) => s >= minimum && (span / 1000) / s <= TARGET_POINTS) ?? 86_400;
  const alignedFrom = Math.floor(from.getTime() / (stepSeconds * 1000)) * stepSeconds * 1000;
  const points = Math.ceil((to.getTime() - alignedFrom) / (stepSeconds * 1000));
  if (points > MAX_POINTS) throw rangeError("stepSeconds", `gives ${points} points; at most ${MAX_POINTS} (use a step of at least ${Math.ceil(span / 1000 / MAX_POINTS)} s)`);
  return { from: new Date(alignedFrom), to, stepSeconds, bucketCount: points };
}

/** Which bucket a time falls in, or -1 outside the range. */
export function bucketOf(range: TimeRange, at: Date): number {
  const index = Math.floor((at.getTime() - range.from.getTime()) / (range.stepSeconds * 1000));
  return index >= 0 && index < range.bucketCount ? index : -1;
}

export function bucketStart(range: TimeRange, index: number): Date {
  return new Date(range.from.getTime() + index * range.stepSeconds * 1000);
}

function rangeError(field: string, message: string): ValidationError {
  return new ValidationError(`Invalid input: ${field}: ${message}`, [{ path: [field], message }]);
}
