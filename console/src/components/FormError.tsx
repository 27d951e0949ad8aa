/** The form-level error: announced when it appears. */
export function FormError({ message }: { message: string | null | undefined }) {
  return (
    <div role="alert" aria-live="assertive">
      {message ? <p className="form-error">{message}</p> : null}
    </div>
  );
}
