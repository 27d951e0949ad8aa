import { formatProgress, serverLabel, type OperationEvent } from "./events.js";

/** One line of the live view: the latest event of one step on one server. */
export interface BoardRow {
  serverId: string | null;
  step: string;
  message: string;
  progress: number | null;
  level: OperationEvent["level"];
  /** A later step started on the same server. */
  done: boolean;
}

/** Rows in the order their step first appeared. */
export type Board = readonly BoardRow[];

export function applyEvent(board: Board, event: OperationEvent): Board {
  const index = board.findIndex((row) => row.serverId === event.serverId && row.step === event.step);
  const row: BoardRow = {
    serverId: event.serverId,
    step: event.step,
    message: event.message,
    progress: event.progress,
    // A warning or error stays visible on its row even as later lines of the step arrive.
    level: index >= 0 && rank(board[index]!.level) > rank(event.level) ? board[index]!.level : event.level,
    done: false,
  };
  if (index >= 0) return board.map((existing, i) => (i === index ? row : existing));
  return [...board.map((existing) => (existing.serverId === event.serverId ? { ...existing, done: true } : existing)), row];
}

/** The operation ended: no step is still running. */
export function settle(board: Board): Board {
  return board.map((row) => ({ ...row, done: true }));
}

function rank(level: OperationEvent["level"]): number {
  return { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 }[level];
}

const BAR_WIDTH = 10;

export function progressBar(progress: number | null): string {
  if (progress == null) return " ".repeat(BAR_WIDTH + 2);
  const filled = Math.round(Math.min(Math.max(progress, 0), 1) * BAR_WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
}

function marker(row: BoardRow): string {
  if (row.level === "ERROR") return "x";
  if (row.level === "WARN") return "!";
  return row.done ? "+" : ">";
}

/** The board as lines, each cut to the terminal's width. */
export function renderBoard(board: Board, names: ReadonlyMap<string, string>, columns: number): string[] {
  const labelWidth = Math.max(0, ...board.map((row) => serverLabel(row.serverId, names).length));
  const stepWidth = Math.max(0, ...board.map((row) => row.step.length));
  return board.map((row) => {
    const progress = formatProgress(row.progress).padStart(4);
    const line = `${marker(row)} ${serverLabel(row.serverId, names).padEnd(labelWidth)}  ${row.step.padEnd(stepWidth)}  ${progressBar(row.progress)} ${progress}  ${row.message}`;
    return line.length > columns ? `${line.slice(0, Math.max(columns - 1, 0))}…` : line;
  });
}

/** Escape sequences that replace the `previousLines` lines last drawn with `lines`. */
export function redraw(previousLines: number, lines: readonly string[]): string {
  const up = previousLines > 0 ? `\x1b[${previousLines}A` : "";
  return `${up}${lines.map((line) => `\r\x1b[2K${line}\n`).join("")}`;
}
