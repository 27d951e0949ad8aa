"use client";

import { useEffect, useRef } from "react";
import type { LiveEvent } from "@/lib/operation-events";

/** The streaming log; it follows new lines unless the reader has scrolled up. */
export function BuildLog({ lines }: { lines: LiveEvent[] }) {
  const boxRef = useRef<HTMLPreElement>(null);
  const following = useRef(true);

  useEffect(() => {
    const box = boxRef.current;
    if (box && following.current) box.scrollTop = box.scrollHeight;
  }, [lines.length]);

  if (lines.length === 0) return <p className="muted">No log output yet.</p>;
  return (
    <pre
      ref={boxRef}
      className="log"
      tabIndex={0}
      aria-label="Build log"
      onScroll={(event) => {
        const box = event.currentTarget;
        following.current = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
      }}
    >
      {lines.map((line) => (
        <span key={line.seq} className="log__line" data-seq={line.seq}>
          {line.message}
          {"\n"}
        </span>
      ))}
    </pre>
  );
}
