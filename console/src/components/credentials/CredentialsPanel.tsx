"use client";

import { useMemo } from "react";
import { useQuery } from "urql";
import { CredentialsDocument } from "@slipway/sdk";
import { describeRequestError } from "@/lib/errors";
import { ErrorState } from "../ErrorState";
import { LoadingState } from "../LoadingState";
import { ProviderSection } from "./ProviderSection";
import { PROVIDERS } from "./providers";

export function CredentialsPanel() {
  const context = useMemo(() => ({ additionalTypenames: ["Credential"] }), []);
  const [{ data, error }, refetch] = useQuery({ query: CredentialsDocument, context });

  if (error && !data) {
    return (
      <ErrorState
        title="Couldn't load credentials"
        message={describeRequestError(error)}
        onRetry={() => refetch({ requestPolicy: "network-only" })}
      />
    );
  }
  if (!data) return <LoadingState label="Loading credentials" />;

  return (
    <div className="stack">
      {PROVIDERS.map((info) => (
        <ProviderSection
          key={info.provider}
          info={info}
          credentials={data.credentials.filter((c) => c.provider === info.provider)}
        />
      ))}
    </div>
  );
}
