// The metrics endpoint's pure parts and its access-log reader, on real files in a temp folder.
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addHistograms, emptyHistogram, histogramQuantile, latencyBucket, LATENCY_BUCKETS_MS } from "../src/protocol/index.js";
import { summarizeLines } from "../src/telemetry/access-log.js";
import { parseCpuCounters, parseLoadavg, parseMemory } from "../src/telemetry/host.js";
import { readLogIncrement } from "../src/telemetry/log-reader.js";

const line = (status: number, seconds: number) => `{"t":1700000000.123,"s":${status},"rt":${seconds.toFixed(3)}}\n`;

describe("access log lines", () => {
  it("counts requests, 5xx responses and latencies; other lines are counted as unparsed", () => {
    const text = line(200, 0.004) + line(502, 0.03) + line(503, 12) + line(404, 0.0) + "127.0.0.1 - - [x] GET / 200\n\n" + '{"s":"x","rt":1}\n';
    const summary = summarizeLines(text);
    expect(summary).toMatchObject({ requests: 4, errors: 2, unparsedLines: 2 });
    const expected = emptyHistogram();
    expected[latencyBucket(4)]! += 1;
    expected[latencyBucket(30)]! += 1;
    expected[LATENCY_BUCKETS_MS.length]! += 1; // 12 s: slower than the last bound
    expected[0]! += 1;
    expect(summary.latencyHistogram).toEqual(expected);
  });

  it("puts a latency in the first bucket whose bound holds it", () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(1)).toBe(0);
    expect(latencyBucket(1.5)).toBe(1);
    expect(latencyBucket(100)).toBe(LATENCY_BUCKETS_MS.indexOf(100));
    expect(latencyBucket(10_001)).toBe(LATENCY_BUCKETS_MS.length);
  });
});

describe("histogram quantiles", () => {
  it("interpolates inside the bucket, like Prometheus' histogram_quantile", () => {
    const h = emptyHistogram();
    h[LATENCY_BUCKETS_MS.indexOf(10)] = 100; // all between 5 and 10 ms
    expect(histogramQuantile(h, 0.5)).toBeCloseTo(7.5);
    expect(histogramQuantile(h, 0.95)).toBeCloseTo(9.75);
    h[LATENCY_BUCKETS_MS.indexOf(500)] = 100; // half between 200 and 500 ms
    expect(histogramQuantile(h, 0.5)).toBeCloseTo(10);
    expect(histogramQuantile(h, 0.95)).toBeCloseTo(200 + 300 * 0.9);
  });

  it("has no quantile without requests, and answers the last bound for the open bucket", () => {
    expect(histogramQuantile(emptyHistogram(), 0.5)).toBeNull();
    const slow = emptyHistogram();
    slow[LATENCY_BUCKETS_MS.length] = 3;
    expect(histogramQuantile(slow, 0.95)).toBe(10_000);
  });

  it("adds histograms bucket by bucket", () => {
    expect(addHistograms([1, 2, 3], [1, 1, 1])).toEqual([2, 3, 4]);
  });
});

describe("host counters", () => {
  it("reads the aggregate cpu line and counts the cores", () => {
    const stat = "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\ncpu1 50 0 25 400 25 0 0 0 0 0\nintr 1\n";
    expect(parseCpuCounters(stat)).toEqual({ totalTicks: 1000, idleTicks: 850, cores: 2 });
    expect(parseCpuCounters("nothing")).toBeNull();
  });

  it("reads MemTotal and MemAvailable in bytes, and the load averages", () => {
    expect(parseMemory("MemTotal:       2048 kB\nMemFree:  100 kB\nMemAvailable:   1024 kB\n")).toEqual({ totalBytes: 2048 * 1024, availableBytes: 1024 * 1024 });
    expect(parseMemory("MemTotal: 2048 kB\n")).toBeNull();
    expect(parseLoadavg("0.52 0.40 0.31 2/180 12345\n")).toEqual({ one: 0.52, five: 0.4, fifteen: 0.31 });
    expect(parseLoadavg("")).toBeNull();
  });
});

describe("reading an access log on from a cursor", () => {
  let dir: string;
  let log: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "slipway-agent-log-"));
    log = path.join(dir, "slipway-web.access.log");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("has nothing to say about a log that does not exist", async () => {
    expect(await readLogIncrement(log, undefined)).toBeNull();
  });

  it("starts at the end without a cursor, then counts exactly what was appended, whole lines only", async () => {
    writeFileSync(log, line(200, 0.01).repeat(5));
    const first = (await readLogIncrement(log, undefined))!;
    expect(first).toMatchObject({ continued: false, summary: { requests: 0 }, skippedBytes: 0 });
    expect(first.cursor.offset).toBe(line(200, 0.01).length * 5);

    appendFileSync(log, line(200, 0.01) + line(500, 0.2) + '{"t":1,"s":200'); // the last line is still being written
    const second = (await readLogIncrement(log, first.cursor))!;
    expect(second).toMatchObject({ continued: true, summary: { requests: 2, errors: 1 } });
    expect(second.cursor).toEqual({ inode: first.cursor.inode, offset: first.cursor.offset + line(200, 0.01).length + line(500, 0.2).length });

    appendFileSync(log, ',"rt":0.001}\n');
    const third = (await readLogIncrement(log, second.cursor))!;
    expect(third.summary.requests).toBe(1);
    expect((await readLogIncrement(log, third.cursor))!.summary.requests).toBe(0);
  });

  it("follows a rotation: the rest of the old file (now .1) and then the new one from its start", async () => {
    writeFileSync(log, line(200, 0.01));
    const start = (await readLogIncrement(log, undefined))!;
    appendFileSync(log, line(200, 0.01).repeat(3));
    renameSync(log, `${log}.1`);
    writeFileSync(log, line(503, 0.01).repeat(2));
    const after = (await readLogIncrement(log, start.cursor))!;
    expect(after).toMatchObject({ continued: true, summary: { requests: 5, errors: 2 } });
    expect(after.cursor.inode).not.toBe(start.cursor.inode);
  });

  it("says when it cannot continue (rotated twice) and reads a truncated log from its start", async () => {
    writeFileSync(log, line(200, 0.01));
    const start = (await readLogIncrement(log, undefined))!;
    rmSync(log);
    writeFileSync(log, line(200, 0.01));
    const lost = (await readLogIncrement(log, { ...start.cursor, inode: "1" }))!;
    expect(lost).toMatchObject({ continued: false, summary: { requests: 1 } });

    appendFileSync(log, line(200, 0.01).repeat(4));
    const before = (await readLogIncrement(log, lost.cursor))!;
    truncateSync(log, 0);
    appendFileSync(log, line(404, 0.01));
    const truncated = (await readLogIncrement(log, before.cursor))!;
    expect(truncated).toMatchObject({ continued: true, summary: { requests: 1, errors: 0 } });
  });

  it("skips the oldest part of a burst larger than one read may take, and says how much", async () => {
    writeFileSync(log, "");
    const start = (await readLogIncrement(log, undefined))!;
    appendFileSync(log, line(200, 0.01).repeat(1000));
    const size = line(200, 0.01).length * 1000;
    const read = (await readLogIncrement(log, start.cursor, 10 * line(200, 0.01).length + 5))!;
    expect(read.summary.requests).toBe(10);
    expect(read.skippedBytes).toBe(size - 10 * line(200, 0.01).length);
    expect(read.cursor.offset).toBe(size);
  });
});
