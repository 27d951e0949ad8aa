"use client";

import { useEffect, useRef } from "react";
import type { LiveEvent } from "@/lib/operation-events";

/** The streaming log; it follows new lines unless the reader has scrolled up. */
export function BuildLog({ lines, finished = false }: { lines: LiveEvent[]; finished?: boolean }) {
  const boxRef = useRef<HTMLPreElement>(null);
  const following = useRef(true);
  // Where the box was last scrolled to, by us or the reader. A scroll event arrives a frame after
  // the scroll: by then a burst of lines may have made the box taller, so "not at the bottom" alone
  // would wrongly stop following. Only moving up is the reader leaving the end.
  const lastTop = useRef(0);

  useEffect(() => {
    const box = boxRef.current;
    if (!box || !following.current) return;
    box.scrollTop = box.scrollHeight;
    lastTop.current = box.scrollTop;
  }, [lines.length]);

  // A rollback reuses an image, an upgrade only restarts: a finished operation may have no log.
  if (lines.length === 0) return <p className="muted">{finished ? "No log output." : "No log output yet."}</p>;
  return (
    <pre
      ref={boxRef}
      className="log"
      tabIndex={0}
      aria-label="Build log"
      onScroll={(event) => {
        const box = event.currentTarget;
        if (box.scrollTop + box.clientHeight >= box.scrollHeight - 8) following.current = true;
        else if (box.scrollTop < lastTop.current) following.current = false;
        lastTop.current = box.scrollTop;
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
