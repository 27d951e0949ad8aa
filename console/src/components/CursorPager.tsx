"use client";

/**
 * Previous / Next over a server-paged connection. The caller keeps the cursors of the pages it
 * walked through (`[null]` is the first page); Previous drops the last, Next adds the page's end.
 */
export function CursorPager({
  cursors,
  setCursors,
  totalCount,
  pageSize,
  pageInfo,
  noun,
  busy = false,
}: {
  cursors: readonly (string | null)[];
  setCursors: (update: (list: (string | null)[]) => (string | null)[]) => void;
  totalCount: number;
  pageSize: number;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  /** What is counted, singular and plural: ["entry", "entries"]. */
  noun: readonly [string, string];
  busy?: boolean;
}) {
  const page = cursors.length;
  const pages = Math.max(1, Math.ceil(totalCount / pageSize));
  const next = pageInfo.endCursor ?? null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="button button--secondary" disabled={page === 1 || busy} onClick={() => setCursors((list) => list.slice(0, -1))}>
        Previous
      </button>
      <span className="pager__where" aria-live="polite">
        Page {page} of {pages} · {totalCount === 1 ? `1 ${noun[0]}` : `${totalCount} ${noun[1]}`}
      </span>
      <button
        type="button"
        className="button button--secondary"
        disabled={!pageInfo.hasNextPage || !next || busy}
        onClick={() => next && setCursors((list) => [...list, next])}
      >
        Next
      </button>
    </nav>
  );
}
