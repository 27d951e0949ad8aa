import { emptyProgress, reduceProgress, type Progress } from "../../progress/index.js";
import { redraw, renderBoard } from "./board.js";
import {
  eventJson, formatEventLine, formatOutcome, formatStarted, outcomeJson, startedJson, type OperationEvent, type Outcome,
} from "./events.js";

export type OutputMode = "json" | "tty" | "plain";

/** Where a deploy's or rollback's progress goes while it is followed. */
export interface Reporter {
  started(kind: Outcome["kind"], service: string, deploymentId: string, operationId: string): void;
  event(event: OperationEvent): void;
  finished(outcome: Outcome, exitCode: number): void;
}

export interface Terminal {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function outputMode(json: boolean, terminal: Terminal): OutputMode {
  if (json) return "json";
  return terminal.isTTY ? "tty" : "plain";
}

export function createReporter(mode: OutputMode, out: Terminal, names: ReadonlyMap<string, string>): Reporter {
  if (mode === "json") {
    return {
      started: (...args) => out.write(`${startedJson(...args)}\n`),
      event: (event) => out.write(`${eventJson(event)}\n`),
      finished: (outcome, exitCode) => out.write(`${outcomeJson(outcome, exitCode)}\n`),
    };
  }
  const started: Reporter["started"] = (...args) => out.write(`${formatStarted(...args)}\n`);
  const finished: Reporter["finished"] = (outcome) => out.write(`${formatOutcome(outcome, names)}\n`);
  if (mode === "plain") return { started, event: (event) => out.write(`${formatEventLine(event, names)}\n`), finished };

  let progress: Progress = emptyProgress;
  let drawn = 0;
  return {
    started,
    event(event) {
      const next = reduceProgress(progress, event);
      if (next.lanes === progress.lanes) return (progress = next), undefined;
      progress = next;
      // A pseudo-terminal without a size reports 0 columns.
      const lines = renderBoard(progress, names, out.columns || 80);
      out.write(redraw(drawn, lines));
      drawn = lines.length;
    },
    finished,
  };
}
