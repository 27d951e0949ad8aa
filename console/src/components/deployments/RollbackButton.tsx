"use client";

import { useRouter } from "next/navigation";
import { RollbackDocument, type DeploymentFieldsFragment } from "@slipway/sdk";
import { operationPath } from "@/lib/paths";
import { ConfirmAction } from "../ConfirmAction";
import { FormError } from "../FormError";
import { useAction } from "../useAction";

/** Puts this deployment's image and config back, after one confirmation, and opens the live view. */
export function RollbackButton({ deployment }: { deployment: Pick<DeploymentFieldsFragment, "id" | "imageTag"> }) {
  const router = useRouter();
  const rollback = useAction(RollbackDocument, (data) => data.rollback);
  const tag = deployment.imageTag.split(":").at(-1);

  async function onConfirm() {
    const started = await rollback.run({ deploymentId: deployment.id });
    if (started) router.push(operationPath(started.operation.id));
  }

  return (
    <>
      <ConfirmAction
        label="Roll back"
        confirmLabel="Roll back now"
        question={`Roll back to ${tag}? Its image and config replace what runs now.`}
        busy={rollback.fetching}
        onConfirm={onConfirm}
      />
      <FormError message={rollback.message} />
    </>
  );
}
