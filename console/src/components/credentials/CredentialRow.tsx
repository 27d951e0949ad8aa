"use client";

import {
  DeleteCredentialDocument,
  VerifyCredentialDocument,
  type CredentialFieldsFragment,
} from "@slipway/sdk";
import { ConfirmAction } from "../ConfirmAction";
import { FormError } from "../FormError";
import { RelativeTime } from "../RelativeTime";
import { useAction } from "../useAction";
import { CredentialStatus } from "./CredentialStatus";

export function CredentialRow({
  credential,
  providerLabel,
}: {
  credential: CredentialFieldsFragment;
  providerLabel: string;
}) {
  const verifying = useAction(VerifyCredentialDocument, (data) => data.verifyCredential);
  const deleting = useAction(DeleteCredentialDocument, (data) => data.deleteCredential);

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
        <FormError message={verifying.message ?? deleting.message} />
      </div>
      <div className="row__actions">
        <button
          type="button"
          className="button button--secondary"
          disabled={verifying.fetching}
          onClick={() => verifying.run({ id: credential.id })}
          aria-label={`Verify ${providerLabel} token ${credential.name}`}
        >
          {verifying.fetching ? "Verifying…" : "Verify"}
        </button>
        <ConfirmAction
          label="Delete"
          confirmLabel="Delete token"
          question={`Delete the ${providerLabel} token “${credential.name}”?`}
          busy={deleting.fetching}
          onConfirm={() => deleting.run({ id: credential.id })}
        />
      </div>
    </li>
  );
}
