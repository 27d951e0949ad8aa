"use client";

import { useCallback } from "react";
import { useRouter } from "next/navigation";
import { useMutation } from "urql";
import { LogoutDocument } from "@slipway/sdk";
import { clearToken, writeToken } from "@/lib/session-token";

/** Stores a new session; the auth layout's RedirectIfSignedIn then moves on to the console. */
export function useSignIn(): (token: string) => void {
  return useCallback((token: string) => writeToken(token), []);
}

export function useSignOut(): () => Promise<void> {
  const router = useRouter();
  const [, logout] = useMutation(LogoutDocument);
  return useCallback(async () => {
    // Best effort: the token is dropped locally even if the server can't be told.
    await logout({});
    clearToken();
    router.replace("/login");
  }, [logout, router]);
}
