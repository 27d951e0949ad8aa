// The JSON lines nginx writes per service (commands/nginx.ts: `{"t":$msec,"s":$status,"rt":$request_time}`),
// summed up into what the control plane stores: requests, 5xx responses, a latency histogram. Pure.
import { emptyHistogram, latencyBucket } from "../protocol/metrics.js";

export interface TrafficSummary {
  requests: number;
  errors: number;
  latencyHistogram: number[];
  unparsedLines: number;
}

export function emptySummary(): TrafficSummary {
  return { requests: 0, errors: 0, latencyHistogram: emptyHistogram(), unparsedLines: 0 };
}

/** Counts one log line into the summary (blank lines are ignored, foreign ones counted as unparsed). */
export function countLine(summary: TrafficSummary, line: string): void {
  const text = line.trim();
  if (!text) return;
  let entry: { s?: unknown; rt?: unknown };
  try {
    entry = JSON.parse(text) as typeof entry;
  } catch {
    summary.unparsedLines += 1;
    return;
  }
  const status = Number(entry.s);
  const seconds = Number(entry.rt);
  if (!Number.isInteger(status) || !Number.isFinite(seconds) || seconds < 0) {
    summary.unparsedLines += 1;
    return;
  }
  summary.requests += 1;
  if (status >= 500 && status <= 599) summary.errors += 1;
  summary.latencyHistogram[latencyBucket(seconds * 1000)]! += 1;
}

export function summarizeLines(text: string): TrafficSummary {
  const summary = emptySummary();
  for (const line of text.split("\n")) countLine(summary, line);
  return summary;
}
