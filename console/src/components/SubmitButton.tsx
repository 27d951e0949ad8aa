export function SubmitButton({
  busy,
  children,
  busyLabel,
}: {
  busy: boolean;
  children: string;
  busyLabel: string;
}) {
  return (
    <button type="submit" className="button button--primary" disabled={busy} aria-disabled={busy}>
      {busy ? busyLabel : children}
    </button>
  );
}
