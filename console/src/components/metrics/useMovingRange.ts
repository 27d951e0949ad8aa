"use client";

import { useEffect, useMemo, useState } from "react";
import { rangeVariables } from "@/lib/metrics-charts";

/** Refreshed this often while the page is open (the control plane collects every 15 s by default). */
const REFRESH_MS = 15_000;

/** The picked range, ending at a "now" that moves every 15 s so the charts follow new figures. */
export function useMovingRange(initial = "1h"): { range: string; setRange: (id: string) => void; variables: { from: string; to: string } } {
  const [range, setRange] = useState(initial);
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const variables = useMemo(() => rangeVariables(range, now), [range, now]);
  return { range, setRange, variables };
}
