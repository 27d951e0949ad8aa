"use client";

import { useMemo } from "react";
import type { ServerMetricsQuery } from "@slipway/sdk";
import { scaleMarkers, serverChart, type ServerChartKind } from "@/lib/metrics-charts";
import { ScaleDecisions } from "./ScaleDecisions";
import { paletteFor, TimeSeriesChart } from "./TimeSeriesChart";
import { TimeRangePicker } from "./TimeRangePicker";

const CHARTS: { kind: ServerChartKind; title: string; unit: string }[] = [
  { kind: "cpu", title: "CPU (whole machine)", unit: "%" },
  { kind: "memory", title: "Memory used", unit: " MiB" },
  { kind: "load", title: "Load (1 minute)", unit: "" },
  { kind: "disk", title: "Disk free", unit: " GiB" },
];

type Server = NonNullable<ServerMetricsQuery["server"]>;

/** A server's host charts and the scaling decisions of its services, over a picked range. */
export function ServerMetricsPanel({ server, range, onRange }: { server: Server; range: string; onRange: (id: string) => void }) {
  const colourOf = useMemo(() => paletteFor([server.name]), [server.name]);
  const markers = useMemo(() => scaleMarkers(server.metrics.scaleEvents), [server.metrics]);
  const charts = useMemo(() => CHARTS.map((c) => ({ ...c, data: serverChart(server.metrics, server.name, c.kind) })), [server]);
  return (
    <section className="panel" aria-labelledby="server-metrics-heading">
      <div className="panel__head">
        <h2 id="server-metrics-heading" className="panel__title">
          Metrics
        </h2>
        <TimeRangePicker name="server-metrics-range" value={range} onChange={onRange} />
      </div>
      <p className="panel__description">Every {server.metrics.stepSeconds} s; gaps where the server did not answer.</p>
      <div className="charts">
        {charts.map((c) => (
          <TimeSeriesChart key={c.kind} title={c.title} unit={c.unit} data={c.data} markers={markers} colourOf={colourOf} />
        ))}
      </div>
      <h3 className="panel__subtitle">Scaling decisions</h3>
      <ScaleDecisions events={server.metrics.scaleEvents} />
    </section>
  );
}
