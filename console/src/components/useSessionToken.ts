"use client";

import { useSyncExternalStore } from "react";
import { readToken, subscribeToken } from "@/lib/session-token";

/** The stored session token; `undefined` while rendering on the server, where it is unknown. */
export function useSessionToken(): string | null | undefined {
  return useSyncExternalStore<string | null | undefined>(subscribeToken, readToken, () => undefined);
}
