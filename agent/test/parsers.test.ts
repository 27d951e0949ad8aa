import { describe, expect, it } from "vitest";
import { containerUsage, cpuPercentBetween, parseMeminfo, parseProcStat } from "../src/metrics.js";
import { nginxPidPath, nginxWorkerState, parseChildren, parseCmdline, parsePpid, reloadDone } from "../src/procfs.js";
import { envRedactor } from "../src/redact.js";
import { demuxDockerLogs, JsonLineSplitter, textLines } from "../src/streams.js";

describe("docker stream parsers", () => {
  it("splits JSON lines across chunks", () => {
    const s = new JsonLineSplitter();
    expect(s.push('{"stream":"Step 1/2"}\r\n{"str')).toEqual([{ stream: "Step 1/2" }]);
    expect(s.push('eam":"ok"}\n{"aux":{"ID":"sha256:1"}}')).toEqual([{ stream: "ok" }]);
    expect(s.end()).toEqual([{ aux: { ID: "sha256:1" } }]);
  });

  it("demultiplexes container logs", () => {
    const frame = (type: number, text: string) => {
      const body = Buffer.from(text);
      const h = Buffer.alloc(8);
      h[0] = type;
      h.writeUInt32BE(body.length, 4);
      return Buffer.concat([h, body]);
    };
    expect(demuxDockerLogs(Buffer.concat([frame(1, "out line\n"), frame(2, "err line\n")]))).toBe("out line\nerr line\n");
    expect(demuxDockerLogs(Buffer.from("plain tty text\n"))).toBe("plain tty text\n");
    expect(textLines("a\r\nb\n")).toEqual(["a", "b"]);
  });
});

describe("redaction", () => {
  it("removes every env value from a text, longest first", () => {
    const r = envRedactor({ A: "s3cr3t-value", B: "s3cr3t", C: "no" });
    expect(r("failed: s3cr3t-value and s3cr3t; no")).toBe("failed: [redacted] and [redacted]; no");
    expect(envRedactor({})("x")).toBe("x");
  });
});

describe("metrics", () => {
  it("computes host CPU from two /proc/stat samples and memory from /proc/meminfo", () => {
    const a = parseProcStat("cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 2 3\n")!;
    const b = parseProcStat("cpu  150 0 150 900 0 0 0 0 0 0\n")!;
    expect(cpuPercentBetween(a, b)).toBe(50);
    expect(parseMeminfo("MemTotal:       1000 kB\nMemFree: 10 kB\nMemAvailable:    250 kB\n")).toEqual({ totalBytes: 1024000, usedBytes: 768000 });
  });

  it("computes container usage like docker stats", () => {
    expect(
      containerUsage({
        cpu_stats: { cpu_usage: { total_usage: 300 }, system_cpu_usage: 2000, online_cpus: 2 },
        precpu_stats: { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 },
        memory_stats: { usage: 5000, stats: { inactive_file: 1000 } },
      }),
    ).toEqual({ cpuPercent: 40, memoryBytes: 4000 });
    expect(containerUsage({})).toEqual({ cpuPercent: 0, memoryBytes: 0 });
  });
});

describe("procfs and nginx reloads", () => {
  it("parses parent pids, titles and the pid file", () => {
    expect(parsePpid("123 (nginx: (odd) name) S 77 123 123 0")).toBe(77);
    expect(parseChildren("101 102 \n")).toEqual([101, 102]);
    expect(parseChildren("")).toEqual([]);
    expect(parseCmdline("nginx: worker process\0\0")).toBe("nginx: worker process");
    expect(nginxPidPath("user www-data;\npid /run/nginx.pid;\n")).toBe("/run/nginx.pid");
    expect(nginxPidPath("events {}")).toBe("/run/nginx.pid");
    expect(nginxPidPath("  pid   /tmp/x.pid ;")).toBe("/tmp/x.pid");
    expect(nginxWorkerState("nginx: worker process is shutting down")).toBe("shutting-down");
    expect(nginxWorkerState("nginx: worker process")).toBe("accepting");
    expect(nginxWorkerState("nginx: cache manager process")).toBeNull();
  });

  it("calls a reload done once new workers accept and old ones only finish", () => {
    const before = new Set([10, 11]);
    expect(reloadDone(before, new Map([[10, "accepting"], [11, "accepting"]]))).toBe(false);
    expect(reloadDone(before, new Map([[10, "accepting"], [20, "accepting"]]))).toBe(false);
    expect(reloadDone(before, new Map([[10, "shutting-down"], [20, "accepting"]]))).toBe(true);
    expect(reloadDone(before, new Map([[20, "accepting"]]))).toBe(true);
    expect(reloadDone(before, new Map())).toBe(false);
  });
});
