"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import type { CredentialProvider } from "@slipway/sdk";
import { PROVIDER_LABELS } from "./providers";
import { useProviderCredential } from "./useProviderCredential";

/**
 * Shows `children` (a form that calls the provider) only once a token for it is stored; before
 * that, says what is needed and where to add it, instead of a form that would fail.
 */
export function RequiresCredential({ provider, task, children }: { provider: CredentialProvider; task: string; children: ReactNode }) {
  const state = useProviderCredential(provider);
  const label = PROVIDER_LABELS[provider];
  if (state === null) return null;
  if (state === "MISSING" || state === "REJECTED") {
    return (
      <div className="notice" role="note">
        <p>
          {task} needs a {label} token{state === "REJECTED" ? ` that ${label} accepts: the saved one was refused` : ""}.{" "}
          <Link href="/settings/credentials">Add it in Settings → Credentials</Link>, then come back here.
        </p>
      </div>
    );
  }
  return (
    <>
      {state === "UNREACHABLE" ? (
        <p className="muted">
          {label} could not be reached when the token was saved, so it is not verified yet. <Link href="/settings/credentials">Verify it again</Link>.
        </p>
      ) : null}
      {children}
    </>
  );
}
