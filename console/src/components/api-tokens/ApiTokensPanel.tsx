"use client";

import { useMemo, useState } from "react";
import { useQuery } from "urql";
import { ApiTokensDocument } from "@slipway/sdk";
import { describeRequestError } from "@/lib/errors";
import { ErrorState } from "../ErrorState";
import { LoadingState } from "../LoadingState";
import { ApiTokenList } from "./ApiTokenList";
import { CreateApiTokenForm } from "./CreateApiTokenForm";
import { NewTokenNotice, type NewToken } from "./NewTokenNotice";

export function ApiTokensPanel() {
  const context = useMemo(() => ({ additionalTypenames: ["ApiToken"] }), []);
  const [{ data, error }, refetch] = useQuery({ query: ApiTokensDocument, context });
  // The secret exists only here, in memory, until dismissed: the server can't show it again.
  const [newToken, setNewToken] = useState<NewToken | null>(null);

  if (error && !data) {
    return (
      <ErrorState
        title="Couldn't load API tokens"
        message={describeRequestError(error)}
        onRetry={() => refetch({ requestPolicy: "network-only" })}
      />
    );
  }
  if (!data) return <LoadingState label="Loading API tokens" />;

  return (
    <div className="stack">
      {newToken ? (
        <NewTokenNotice token={newToken} onDismiss={() => setNewToken(null)} />
      ) : (
        <section className="panel" aria-labelledby="create-token-heading">
          <h2 id="create-token-heading" className="panel__title">
            Create a token
          </h2>
          <p className="panel__description">
            For scripts, CI and the <code>slipway</code> CLI. A token acts as you, limited to the scopes you pick.
          </p>
          <CreateApiTokenForm availableScopes={data.availableScopes} onCreated={setNewToken} />
        </section>
      )}
      <section className="panel" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading" className="panel__title">
          Your tokens
        </h2>
        <ApiTokenList tokens={data.apiTokens} />
      </section>
    </div>
  );
}
