import type { ReactNode } from "react";
import type { Problem } from "@/lib/errors";
import { FormError } from "./FormError";
import { SubmitButton } from "./SubmitButton";

/** The end of every form: its error, announced, then the submit button and any others. */
export function FormFooter({
  problem,
  busy,
  submit,
  busyLabel,
  status,
  onCancel,
  children,
}: {
  problem: Problem | null;
  busy: boolean;
  submit: string;
  busyLabel: string;
  /** A success note, between the error and the buttons. */
  status?: ReactNode;
  /** Adds a "Cancel" button that calls this. */
  onCancel?: () => void;
  children?: ReactNode;
}) {
  return (
    <>
      <FormError message={problem?.message} />
      {status}
      <div className="form__actions">
        <SubmitButton busy={busy} busyLabel={busyLabel}>
          {submit}
        </SubmitButton>
        {onCancel ? (
          <button type="button" className="button button--secondary" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        {children}
      </div>
    </>
  );
}
