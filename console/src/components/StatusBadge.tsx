const GOOD = new Set(["SUCCEEDED", "ACTIVE", "HEALTHY", "SWITCHED", "AVAILABLE"]);
const BAD = new Set(["DELETED", "FAILED", "ERROR", "UNREACHABLE", "UNHEALTHY", "INTERRUPTED", "CANCELLED"]);
const BUSY = new Set(["RUNNING", "QUEUED", "BUILDING", "DEPLOYING", "PROVISIONING", "STARTING", "PENDING", "DRAINING", "DELETING", "CREATING"]);

export function statusWords(status: string): string {
  return status.charAt(0) + status.slice(1).toLowerCase().replaceAll("_", " ");
}

/** An API status enum as a coloured word; colour is never the only signal. */
export function StatusBadge({ status }: { status: string }) {
  const tone = GOOD.has(status) ? "good" : BAD.has(status) ? "bad" : BUSY.has(status) ? "busy" : "unknown";
  return <span className={`status status--${tone}`}>{statusWords(status)}</span>;
}
