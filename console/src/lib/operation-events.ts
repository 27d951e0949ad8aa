import type { OperationEventFieldsFragment } from "@slipway/sdk";

export type LiveEvent = OperationEventFieldsFragment;

/** Appends the events not yet kept, by sequence number: a replay after a reconnect adds nothing twice. */
export function mergeEvents(kept: readonly LiveEvent[], incoming: readonly LiveEvent[]): LiveEvent[] {
  let last = kept.at(-1)?.seq ?? 0;
  const added: LiveEvent[] = [];
  for (const event of [...incoming].sort((a, b) => a.seq - b.seq)) {
    if (event.seq <= last) continue;
    added.push(event);
    last = event.seq;
  }
  return added.length === 0 ? (kept as LiveEvent[]) : [...kept, ...added];
}

export type StepState = "running" | "done" | "failed" | "warning";

export interface StepRow {
  step: string;
  message: string;
  progress: number | null;
  state: StepState;
}

/** One server's steps (serverId null: the control plane's own). */
export interface Lane {
  serverId: string | null;
  steps: StepRow[];
}

// Log lines (DEBUG) go to the build log; every other event moves a step along.
export function isLogLine(event: LiveEvent): boolean {
  return event.level === "DEBUG";
}

export function toLanes(events: readonly LiveEvent[], finished: boolean): Lane[] {
  const lanes = new Map<string | null, StepRow[]>();
  for (const event of events) {
    if (isLogLine(event)) continue;
    const steps = lanes.get(event.serverId ?? null) ?? [];
    lanes.set(event.serverId ?? null, steps);
    let row = steps.find((s) => s.step === event.step);
    if (!row) {
      // A new step on this server means the ones before it are over.
      for (const earlier of steps) if (earlier.state === "running") earlier.state = "done";
      row = { step: event.step, message: event.message, progress: null, state: "running" };
      steps.push(row);
    }
    row.message = event.message;
    if (event.progress !== null && event.progress !== undefined) row.progress = event.progress;
    if (event.level === "ERROR") row.state = "failed";
    else if (event.level === "WARN" && row.state !== "failed") row.state = "warning";
  }
  const out = [...lanes.entries()].map(([serverId, steps]) => ({ serverId, steps }));
  if (finished) {
    for (const lane of out) for (const row of lane.steps) if (row.state === "running") row.state = "done";
  }
  // The control plane's lane first, then servers in the order they appeared.
  return out.sort((a, b) => (a.serverId === null ? -1 : b.serverId === null ? 1 : 0));
}

const STORE_PREFIX = "slipway.operation.";
// A very long build log is not worth failing over: past this many events only the newest are kept.
const STORE_LIMIT = 5000;

export interface StoredEvents {
  events: LiveEvent[];
  /** The last seq seen, which may be past the kept events when they were trimmed. */
  lastSeq: number;
}

export function loadStoredEvents(operationId: string): StoredEvents {
  try {
    const raw = sessionStorage.getItem(STORE_PREFIX + operationId);
    if (!raw) return { events: [], lastSeq: 0 };
    const parsed = JSON.parse(raw) as StoredEvents;
    if (!Array.isArray(parsed.events) || typeof parsed.lastSeq !== "number") return { events: [], lastSeq: 0 };
    return parsed;
  } catch {
    return { events: [], lastSeq: 0 };
  }
}

export function saveStoredEvents(operationId: string, events: readonly LiveEvent[]): void {
  const kept = events.slice(-STORE_LIMIT);
  try {
    sessionStorage.setItem(STORE_PREFIX + operationId, JSON.stringify({ events: kept, lastSeq: events.at(-1)?.seq ?? 0 }));
  } catch {
    // Storage full or refused: a reload then replays from the start, which is still correct.
  }
}
