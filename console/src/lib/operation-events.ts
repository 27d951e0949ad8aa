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

// Log lines (DEBUG) go to the build log; every other event moves a step along (the SDK's
// progress reducer decides how).
export function isLogLine(event: LiveEvent): boolean {
  return event.level === "DEBUG";
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
