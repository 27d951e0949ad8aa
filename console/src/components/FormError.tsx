import { ProblemText } from "./ProblemText";

/** The form-level error: announced when it appears; provider and network errors are explained. */
export function FormError({ message }: { message: string | null | undefined }) {
  return (
    <div role="alert" aria-live="assertive">
      {message ? <ProblemText className="form-error" message={message} /> : null}
    </div>
  );
}
