"use client";

import { useEffect } from "react";
import { useRouter } from "next/navigation";
import { safeNextPath } from "@/lib/next-path";
import { useSessionToken } from "../useSessionToken";

/** Sends a signed-in visitor of /login or /setup on to where they were going. */
export function RedirectIfSignedIn() {
  const token = useSessionToken();
  const router = useRouter();
  useEffect(() => {
    if (token) router.replace(safeNextPath(new URLSearchParams(location.search).get("next")));
  }, [token, router]);
  return null;
}
