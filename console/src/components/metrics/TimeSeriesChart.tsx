"use client";

import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { currentValue, type ChartData, type ChartMarker } from "@/lib/metrics-charts";

// Distinct on the console's light background; a server keeps its colour on every chart of a page.
const PALETTE = ["#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626"];
const HEIGHT = 180;

/**
 * A time series chart drawn by uPlot: one line per server, gaps where nothing was collected,
 * scaling decisions as vertical lines (green out, amber in). The canvas is an image with a
 * description; the legend and the decisions are text beside it.
 */
export function TimeSeriesChart({
  title,
  unit,
  data,
  markers,
  colourOf,
}: {
  title: string;
  /** Appended to values in the legend: "%", " MiB", " req/s". */
  unit: string;
  data: ChartData;
  markers: ChartMarker[];
  colourOf: (label: string) => string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry!.contentRect.width)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const element = container.current;
    if (!element || width === 0) return;
    const plot = new uPlot(
      {
        width,
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1, (max ?? 1) * 1.1)] } },
        axes: [{ stroke: "#555" }, { stroke: "#555", size: 56, values: (_u, ticks) => ticks.map((t) => formatValue(t)) }],
        series: [
          {},
          ...data.lines.map((line) => ({
            label: line.label,
            stroke: colourOf(line.label.replace(/ p(50|95)$/, "")),
            width: 2,
            dash: line.dashed ? [4, 4] : undefined,
            spanGaps: false,
            points: { show: false },
          })),
        ],
        hooks: { draw: [(u: uPlot) => drawMarkers(u, markers)] },
      },
      [data.x, ...data.lines.map((line) => line.values)] as uPlot.AlignedData,
      element,
    );
    return () => plot.destroy();
  }, [data, markers, width, colourOf]);

  const description = `${title}: ${data.lines.length === 0 ? "no figures in this range" : data.lines.map((l) => `${l.label} ${describe(currentValue(l.values), unit)}`).join(", ")}${markers.length ? `; ${markers.length} scaling decision${markers.length === 1 ? "" : "s"} marked` : ""}`;
  return (
    <figure className="chart">
      <figcaption className="chart__title">{title}</figcaption>
      <div ref={container} className="chart__plot" role="img" aria-label={description} />
      {data.lines.length === 0 ? (
        <p className="muted chart__empty">Nothing collected in this range.</p>
      ) : (
        <ul className="chart__legend" aria-label={`${title} legend`}>
          {data.lines.map((line) => (
            <li key={line.label}>
              <span className={`chart__swatch${line.dashed ? " chart__swatch--dashed" : ""}`} style={{ borderColor: colourOf(line.label.replace(/ p(50|95)$/, "")) }} aria-hidden="true" />
              {line.label} <span className="muted">{describe(currentValue(line.values), unit)}</span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

/** The same colour for a server on every chart of the page. */
export function paletteFor(names: readonly string[]): (label: string) => string {
  const sorted = [...new Set(names)].sort();
  return (label) => PALETTE[Math.max(0, sorted.indexOf(label)) % PALETTE.length]!;
}

function drawMarkers(u: uPlot, markers: ChartMarker[]): void {
  const { ctx } = u;
  const { top, height } = u.bbox;
  ctx.save();
  ctx.lineWidth = 2 * devicePixelRatio;
  ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
  for (const marker of markers) {
    const x = Math.round(u.valToPos(marker.at, "x", true));
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
    ctx.strokeStyle = marker.direction === "out" ? "#15803d" : "#b45309";
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
  }
  ctx.restore();
}

function describe(value: number | null, unit: string): string {
  return value === null ? "—" : `${formatValue(value)}${unit}`;
}

function formatValue(value: number): string {
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return Number(value.toFixed(2)).toString();
}
