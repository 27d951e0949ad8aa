import { describe, expect, it } from "vitest";
import { currentValue, rangeVariables, scaleMarkers, serviceChart, type ServiceMetrics } from "../../src/lib/metrics-charts";

const point = (at: string, figures: Partial<ServiceMetrics["series"][number]["points"][number]> = {}) => ({
  at, reachable: true, cpuPercent: null, memoryBytes: null, requestsPerSecond: null, errorsPerSecond: null, errorRate: null, latencyP50Ms: null, latencyP95Ms: null, ...figures,
});

const metrics: ServiceMetrics = {
  from: "2026-12-03T12:00:00.000Z",
  to: "2026-12-03T12:00:30.000Z",
  stepSeconds: 15,
  series: [
    { serverId: "a", serverName: "web-1", points: [point("2026-12-03T12:00:00.000Z", { requestsPerSecond: 4, latencyP50Ms: 3, latencyP95Ms: 9 }), point("2026-12-03T12:00:15.000Z", { reachable: false })] },
    { serverId: "b", serverName: "web-as-1", points: [point("2026-12-03T12:00:00.000Z"), point("2026-12-03T12:00:15.000Z", { requestsPerSecond: 6, memoryBytes: 2 * 1024 * 1024 })] },
  ],
  scaleEvents: [{ at: "2026-12-03T12:00:10.000Z", action: "SCALE_OUT", currentServers: 1, desiredServers: 2, reason: "requests 10/s", operation: null }],
};

describe("metrics charts", () => {
  it("draws one line per server on the shared time axis, with gaps where nothing was figured", () => {
    expect(serviceChart(metrics, "requests")).toEqual({
      x: [1796299200, 1796299215],
      lines: [{ label: "web-1", values: [4, null] }, { label: "web-as-1", values: [null, 6] }],
    });
    expect(serviceChart(metrics, "memory").lines[1]!.values).toEqual([null, 2]);
  });

  it("draws p95 and, dashed, p50 of each server on the latency chart", () => {
    expect(serviceChart(metrics, "latency").lines.slice(0, 2)).toEqual([
      { label: "web-1 p95", values: [9, null] },
      { label: "web-1 p50", values: [3, null], dashed: true },
    ]);
  });

  it("marks scaling decisions in words", () => {
    expect(scaleMarkers(metrics.scaleEvents)).toEqual([{ at: 1796299210, direction: "out", label: "Scaled out 1 → 2: requests 10/s" }]);
  });

  it("turns a picked range into the query's range ending now", () => {
    const now = new Date("2026-12-03T12:00:00.000Z");
    expect(rangeVariables("6h", now)).toEqual({ from: "2026-12-03T06:00:00.000Z", to: "2026-12-03T12:00:00.000Z" });
    expect(rangeVariables("nonsense", now).from).toBe("2026-12-03T11:00:00.000Z");
    expect(currentValue([1, 2, null])).toBe(2);
    expect(currentValue([null])).toBeNull();
    expect(currentValue([7, null, null, null, null])).toBeNull(); // stopped reporting a while ago
  });
});
