"use client";

import { useEffect, useRef, useState } from "react";

/**
 * A destructive button that asks once more in place: the first press shows "confirm" and
 * "cancel", and focus moves to "cancel" so a stray Enter does no harm.
 */
export function ConfirmAction({
  label,
  confirmLabel,
  question,
  busy,
  onConfirm,
  dismissLabel = "Cancel",
}: {
  label: string;
  confirmLabel: string;
  question: string;
  busy: boolean;
  onConfirm: () => void;
  /** The button that backs out (where "Cancel" would be ambiguous). */
  dismissLabel?: string;
}) {
  const [asking, setAsking] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (wasAsking.current) triggerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button
        ref={triggerRef}
        type="button"
        className="button button--danger-quiet"
        disabled={busy}
        onClick={() => setAsking(true)}
      >
        {busy ? "Working…" : label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm__question">{question}</span>
      <button
        type="button"
        className="button button--danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button ref={cancelRef} type="button" className="button button--secondary" onClick={() => setAsking(false)}>
        {dismissLabel}
      </button>
    </span>
  );
}
