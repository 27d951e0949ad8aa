"use client";

import { useMemo } from "react";
import { useQuery } from "urql";
import { CredentialsDocument, type CredentialProvider, type CredentialVerification } from "@slipway/sdk";

/**
 * The state of a provider's "default" credential: missing, or how its verification went; null
 * while loading.
 */
export function useProviderCredential(provider: CredentialProvider): CredentialVerification | "MISSING" | null {
  const context = useMemo(() => ({ additionalTypenames: ["Credential"] }), []);
  const [{ data }] = useQuery({ query: CredentialsDocument, context });
  if (!data) return null;
  const credential = data.credentials.find((c) => c.provider === provider && c.name === "default");
  return credential ? credential.verification : "MISSING";
}
