// Reads what nginx appended to a service's access log since a cursor, without keeping state: the
// control plane sends the cursor back each time. Follows logrotate's rename (the rest of the old
// file is read from `<log>.1`, found by its inode) and a truncation (read from the start).
import { open, stat } from "node:fs/promises";
import type { AccessLogCursor } from "../protocol/metrics.js";
import { countLine, emptySummary, type TrafficSummary } from "./access-log.js";

/** At most this much of one file per collection; beyond it the oldest part is skipped, and said so. */
export const MAX_READ_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 256 * 1024;

export interface LogIncrement {
  cursor: AccessLogCursor;
  /** False when there was no cursor (or its file is gone): counting starts now. */
  continued: boolean;
  summary: TrafficSummary;
  skippedBytes: number;
}

/** The lines appended since `cursor` (whole lines only), or null when the log does not exist. */
export async function readLogIncrement(path: string, cursor: AccessLogCursor | undefined, maxBytes = MAX_READ_BYTES): Promise<LogIncrement | null> {
  const current = await fileIdentity(path);
  if (!current) return null;
  const summary = emptySummary();
  // A first look starts at the end: history before the first collection is not counted.
  if (!cursor) return { cursor: { inode: current.inode, offset: current.size }, continued: false, summary, skippedBytes: 0 };

  let skippedBytes = 0;
  let from = cursor.offset;
  let continued = true;
  if (cursor.inode !== current.inode) {
    const rotated = await fileIdentity(`${path}.1`);
    if (rotated?.inode === cursor.inode) skippedBytes += (await readLines(`${path}.1`, cursor.offset, rotated.size, summary, maxBytes)).skippedBytes;
    else continued = false; // rotated twice, or removed: what was written in between is lost
    from = 0;
  } else if (current.size < cursor.offset) {
    from = 0; // truncated in place (copytruncate)
  }
  const read = await readLines(path, from, current.size, summary, maxBytes);
  return { cursor: { inode: current.inode, offset: read.offset }, continued, summary, skippedBytes: skippedBytes + read.skippedBytes };
}

async function fileIdentity(path: string): Promise<{ inode: string; size: number } | null> {
  try {
    const s = await stat(path, { bigint: true });
    return { inode: s.ino.toString(), size: Number(s.size) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Counts every whole line in [from, to); returns the offset after the last one. */
async function readLines(path: string, from: number, to: number, summary: TrafficSummary, maxBytes: number): Promise<{ offset: number; skippedBytes: number }> {
  let start = from;
  let skippedBytes = 0;
  let inPartialLine = false;
  if (to - start > maxBytes) {
    skippedBytes = to - start - maxBytes;
    start = to - maxBytes;
    inPartialLine = true; // the first line read is cut: skip up to its end
  }
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let position = start;
    let consumed = start; // offset after the last whole line
    let carry = "";
    while (position < to) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, to - position), position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const text = carry + buffer.toString("latin1", 0, bytesRead);
      const lastNewline = text.lastIndexOf("\n");
      if (lastNewline === -1) {
        carry = text;
        continue;
      }
      const lines = text.slice(0, lastNewline).split("\n");
      if (inPartialLine) {
        skippedBytes += Buffer.byteLength(lines.shift()!, "latin1") + 1;
        inPartialLine = false;
      }
      for (const line of lines) countLine(summary, line);
      carry = text.slice(lastNewline + 1);
      consumed = position - Buffer.byteLength(carry, "latin1");
    }
    return { offset: consumed, skippedBytes };
  } finally {
    await handle.close();
  }
}
