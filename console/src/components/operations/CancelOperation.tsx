"use client";

import { useState } from "react";
import { CancelOperationDocument } from "@slipway/sdk";
import { ConfirmAction } from "../ConfirmAction";
import { FormError } from "../FormError";
import { useAction } from "../useAction";

/**
 * Stops a running deploy or rollback after one confirmation. The button stays disabled once the
 * request is accepted: the operation stops at its next safe point and its stream then ends.
 */
export function CancelOperation({ operation }: { operation: { id: string; kind: string; cancelRequestedAt?: string | null } }) {
  const cancel = useAction(CancelOperationDocument, (data) => data.cancelOperation);
  const [requested, setRequested] = useState(Boolean(operation.cancelRequestedAt));
  const what = operation.kind === "ROLLBACK" ? "rollback" : "deploy";
  if (requested) {
    return (
      <p className="notice notice--info" role="status">
        Cancelling: the {what} stops at its next safe point and puts its servers back.
      </p>
    );
  }
  return (
    <div>
      <ConfirmAction
        label={`Cancel ${what}`}
        confirmLabel={`Stop the ${what}`}
        dismissLabel="Keep it running"
        question={`Stop this ${what}? Servers it already switched go back to what they ran.`}
        busy={cancel.fetching}
        onConfirm={async () => {
          if (await cancel.run({ id: operation.id })) setRequested(true);
        }}
      />
      <FormError message={cancel.message} />
    </div>
  );
}
