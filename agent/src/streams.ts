// Parsers for what the Docker Engine streams back. Pure.

/** Splits a stream of newline-separated JSON objects (build, pull, load output), across chunks. */
export class JsonLineSplitter {
  private buf = "";

  push(chunk: Buffer | string): unknown[] {
    this.buf += chunk.toString();
    const parts = this.buf.split("\n");
    this.buf = parts.pop() ?? "";
    return parts.flatMap(parseLine);
  }

  end(): unknown[] {
    const rest = parseLine(this.buf);
    this.buf = "";
    return rest;
  }
}

function parseLine(line: string): unknown[] {
  const t = line.trim();
  if (!t) return [];
  try {
    return [JSON.parse(t)];
  } catch {
    return [{ stream: t }];
  }
}

/**
 * Container logs of a container without a TTY come multiplexed: 8-byte frame headers
 * (stream type, 3 zero bytes, big-endian length) before each chunk. Returns the text.
 */
export function demuxDockerLogs(buf: Buffer): string {
  const looksMultiplexed = buf.length >= 8 && buf[0]! <= 2 && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
  if (!looksMultiplexed) return buf.toString("utf8");
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return Buffer.concat(out).toString("utf8");
}

/** Text lines without the trailing empty one. */
export function textLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
