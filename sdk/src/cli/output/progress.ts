// A one-line progress indicator on stderr for a person at a terminal (a spinner, what is
// happening, bytes so far); nothing when stderr is not a terminal, so pipes and logs stay clean.
import { formatBytes } from "./style.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface Progress {
  /** Replaces the line: what is happening, and bytes done (of total, when known). */
  update(label: string, done?: number, total?: number): void;
  /** Clears the line and, if given, leaves a final one. */
  stop(final?: string): void;
}

interface Stream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export function createProgress(stream: Stream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  let frame = 0;
  let text = "";
  const draw = () => stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text}`);
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    update(label, done, total) {
      text = label + progressSuffix(done, total);
      draw();
    },
    stop(final) {
      clearInterval(timer);
      stream.write(`\r\x1b[2K${final ? `${final}\n` : ""}`);
    },
  };
}

/** " 4.2 MB", or " 4.2 MB of 13.0 MB (32%)". Pure, for tests. */
export function progressSuffix(done?: number, total?: number): string {
  if (done === undefined) return "";
  if (!total) return ` ${formatBytes(done)}`;
  return ` ${formatBytes(done)} of ${formatBytes(total)} (${Math.floor((done / total) * 100)}%)`;
}
