"use client";

import { useEffect, useRef, useState } from "react";
import { useClient } from "urql";
import { onEnd, pipe, subscribe } from "wonka";
import { OperationEventsDocument } from "@slipway/sdk";
import { describeRequestError } from "@/lib/errors";
import { loadStoredEvents, mergeEvents, saveStoredEvents, type LiveEvent } from "@/lib/operation-events";

export type Connection = "connecting" | "live" | "reconnecting" | "ended";

const RETRY_MS = [500, 1000, 2000, 4000, 8000];

/**
 * An operation's events, kept in order and each once. They are remembered in sessionStorage, so a
 * reload or a dropped connection subscribes again with `afterSeq` = the last one seen: no gap, and
 * anything replayed twice is dropped by its number.
 */
export function useOperationEvents(operationId: string) {
  const client = useClient();
  // Read once: what this tab already received for the operation before a reload.
  const [stored] = useState(() => loadStoredEvents(operationId));
  const [events, setEvents] = useState<LiveEvent[]>(stored.events);
  const lastSeq = useRef(stored.lastSeq);
  const [connection, setConnection] = useState<Connection>("connecting");
  const [problem, setProblem] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let failed = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const { unsubscribe } = pipe(
      client.subscription(OperationEventsDocument, { operationId, afterSeq: lastSeq.current }),
      onEnd(() => {
        if (!failed) setConnection("ended");
      }),
      subscribe((result) => {
        if (result.error) {
          failed = true;
          setConnection("reconnecting");
          setProblem(describeRequestError(result.error));
          retry = setTimeout(() => setAttempt((n) => n + 1), RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]);
          return;
        }
        const event = result.data?.operationEvents;
        if (!event) return;
        setConnection("live");
        setProblem(null);
        setEvents((kept) => {
          const next = mergeEvents(kept, [event]);
          if (next !== kept) {
            lastSeq.current = Math.max(lastSeq.current, event.seq);
            saveStoredEvents(operationId, next);
          }
          return next;
        });
      }),
    );
    return () => {
      failed = true;
      clearTimeout(retry);
      unsubscribe();
    };
    // `attempt` re-subscribes from the last seq seen after a failure.
  }, [client, operationId, attempt]);

  return { events, connection, problem };
}
