"use client";

import { useMemo } from "react";
import { useQuery } from "urql";
import { ServiceMetricsDocument } from "@slipway/sdk";
import { scaleMarkers, serviceChart, type ServiceChartKind, type ServiceMetrics } from "@/lib/metrics-charts";
import { Loaded } from "../Loaded";
import { ScaleDecisions } from "./ScaleDecisions";
import { paletteFor, TimeSeriesChart } from "./TimeSeriesChart";
import { TimeRangePicker } from "./TimeRangePicker";
import { useMovingRange } from "./useMovingRange";

const CHARTS: { kind: ServiceChartKind; title: string; unit: string }[] = [
  { kind: "requests", title: "Requests per second", unit: " req/s" },
  { kind: "latency", title: "Latency (p95, p50 dashed)", unit: " ms" },
  { kind: "errors", title: "Errors (5xx per second)", unit: "/s" },
  { kind: "cpu", title: "CPU (the service's containers, % of one core)", unit: "%" },
  { kind: "memory", title: "Memory", unit: " MiB" },
];

/**
 * A service's charts (one line per server) with a time-range picker and its scaling decisions
 * marked: a section of its own, to sit on the service page or in its metrics tab.
 */
export function ServiceMetricsPanel({ serviceId }: { serviceId: string }) {
  const { range, setRange, variables } = useMovingRange();
  const query = useQuery({ query: ServiceMetricsDocument, variables: { id: serviceId, ...variables }, requestPolicy: "network-only" });

  return (
    <section className="panel" aria-labelledby="metrics-heading">
      <div className="panel__head">
        <h2 id="metrics-heading" className="panel__title">
          Metrics
        </h2>
        <TimeRangePicker name="service-metrics-range" value={range} onChange={setRange} />
      </div>
      <Loaded query={query} what="the metrics">
        {(data) => (data.node?.__typename === "Service" ? <Charts metrics={data.node.metrics} /> : <p className="muted">No such service.</p>)}
      </Loaded>
    </section>
  );
}

function Charts({ metrics }: { metrics: ServiceMetrics }) {
  const colourOf = useMemo(() => paletteFor(metrics.series.map((s) => s.serverName)), [metrics]);
  const markers = useMemo(() => scaleMarkers(metrics.scaleEvents), [metrics]);
  const charts = useMemo(() => CHARTS.map((c) => ({ ...c, data: serviceChart(metrics, c.kind) })), [metrics]);
  return (
    <>
      <p className="panel__description">
        One line per server, every {metrics.stepSeconds} s; gaps where a server did not answer. Dashed vertical lines mark scaling
        decisions (green: out, amber: in).
      </p>
      <div className="charts">
        {charts.map((c) => (
          <TimeSeriesChart key={c.kind} title={c.title} unit={c.unit} data={c.data} markers={markers} colourOf={colourOf} />
        ))}
      </div>
      <h3 className="panel__subtitle">Scaling decisions</h3>
      <ScaleDecisions events={metrics.scaleEvents} />
    </>
  );
}
