// Colour and emphasis for a person at a terminal; none when the stream is piped, with NO_COLOR,
// NODE_DISABLE_COLORS or TERM=dumb (Node's hasColors() reads those).

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

interface Stream {
  isTTY?: boolean;
  hasColors?(): boolean;
}

const wrap = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;

const COLOURED: Style = { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39) };
const PLAIN: Style = { bold: (t) => t, dim: (t) => t, red: (t) => t, green: (t) => t, yellow: (t) => t };

export function styleFor(stream: Stream, env: NodeJS.ProcessEnv = process.env): Style {
  if (!stream.isTTY || env.NO_COLOR !== undefined && env.NO_COLOR !== "") return PLAIN;
  return stream.hasColors?.() === false ? PLAIN : COLOURED;
}

/** Byte counts the way people read them: 812 B, 4.2 kB, 13.0 MB (powers of 1000, like ls -h --si). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
