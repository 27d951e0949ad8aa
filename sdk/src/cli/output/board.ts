import { releaseStateLabel, type Progress, type ProgressStep } from "../../progress/index.js";
import { formatProgress, serverLabel } from "./events.js";

// The live board on a terminal: the SDK's progress (one reducer, shared with the console) drawn
// as a line per server and step.

const BAR_WIDTH = 10;

export function progressBar(progress: number | null): string {
  if (progress == null) return " ".repeat(BAR_WIDTH + 2);
  const filled = Math.round(Math.min(Math.max(progress, 0), 1) * BAR_WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
}

const MARKERS: Record<ProgressStep["status"], string> = { failed: "x", warning: "!", done: "+", running: ">" };

/** A finished step's bar is full; a running one shows what it reported. */
function shownProgress(step: ProgressStep): number | null {
  return step.status === "running" ? step.progress : 1;
}

function stepText(step: ProgressStep): string {
  return step.releaseState ? `${step.label} (${releaseStateLabel(step.releaseState).toLowerCase()})` : step.label;
}

/** The board as lines, each cut to the terminal's width. */
export function renderBoard(progress: Progress, names: ReadonlyMap<string, string>, columns: number): string[] {
  const rows = progress.lanes.flatMap((lane) => lane.steps.map((step) => ({ server: serverLabel(lane.serverId, names), step })));
  const labelWidth = Math.max(0, ...rows.map((row) => row.server.length));
  const stepWidth = Math.max(0, ...rows.map((row) => stepText(row.step).length));
  return rows.map(({ server, step }) => {
    const shown = shownProgress(step);
    const line = `${MARKERS[step.status]} ${server.padEnd(labelWidth)}  ${stepText(step).padEnd(stepWidth)}  ${progressBar(shown)} ${formatProgress(shown).padStart(4)}  ${step.message}`;
    return line.length > columns ? `${line.slice(0, Math.max(columns - 1, 0))}…` : line;
  });
}

/** Escape sequences that replace the `previousLines` lines last drawn with `lines`. */
export function redraw(previousLines: number, lines: readonly string[]): string {
  const up = previousLines > 0 ? `\x1b[${previousLines}A` : "";
  return `${up}${lines.map((line) => `\r\x1b[2K${line}\n`).join("")}`;
}
