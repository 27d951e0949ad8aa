"use client";

import { useState } from "react";
import { useMutation } from "urql";
import {
  DeleteCredentialDocument,
  VerifyCredentialDocument,
  type CredentialFieldsFragment,
} from "@slipway/sdk";
import { toOutcome } from "@/lib/mutation-result";
import { ConfirmAction } from "../ConfirmAction";
import { RelativeTime } from "../RelativeTime";
import { CredentialStatus } from "./CredentialStatus";

export function CredentialRow({
  credential,
  providerLabel,
}: {
  credential: CredentialFieldsFragment;
  providerLabel: string;
}) {
  const [verifying, verify] = useMutation(VerifyCredentialDocument);
  const [deleting, remove] = useMutation(DeleteCredentialDocument);
  const [message, setMessage] = useState<string | null>(null);

  async function onVerify() {
    setMessage(null);
    const result = await verify({ id: credential.id });
    const outcome = toOutcome(result.error, result.data?.verifyCredential);
    if (!outcome.ok) setMessage(outcome.problem.message);
  }

  async function onDelete() {
    setMessage(null);
    const result = await remove({ id: credential.id });
    const outcome = toOutcome(result.error, result.data?.deleteCredential);
    if (!outcome.ok) setMessage(outcome.problem.message);
  }

  return (
    <li className="row">
      <div className="row__main">
        <p className="row__title">{credential.name}</p>
        <p className="row__meta">
          <span aria-label="Token hidden">••••••••</span> · saved <RelativeTime iso={credential.updatedAt} />
        </p>
        <p className="row__meta">
          <CredentialStatus credential={credential} />
        </p>
        <div role="alert">{message ? <p className="form-error">{message}</p> : null}</div>
      </div>
      <div className="row__actions">
        <button
          type="button"
          className="button button--secondary"
          disabled={verifying.fetching}
          onClick={onVerify}
          aria-label={`Verify ${providerLabel} token ${credential.name}`}
        >
          {verifying.fetching ? "Verifying…" : "Verify"}
        </button>
        <ConfirmAction
          label="Delete"
          confirmLabel="Delete token"
          question={`Delete the ${providerLabel} token “${credential.name}”?`}
          busy={deleting.fetching}
          onConfirm={onDelete}
        />
      </div>
    </li>
  );
}
