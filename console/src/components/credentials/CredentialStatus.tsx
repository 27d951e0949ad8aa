import type { CredentialFieldsFragment } from "@slipway/sdk";
import { RelativeTime } from "../RelativeTime";

export function CredentialStatus({ credential }: { credential: CredentialFieldsFragment }) {
  if (credential.verification === "UNREACHABLE") {
    return (
      <span className="status status--unknown">
        Saved, not verified: the provider could not be reached ({credential.verificationError?.replace(/^Could not reach the provider: /, "")}). Verify it again later.
      </span>
    );
  }
  if (credential.verificationError) {
    return (
      <span className="status status--bad">
        Verification failed: {credential.verificationError}
      </span>
    );
  }
  if (credential.verifiedAt) {
    return (
      <span className="status status--good">
        Verified <RelativeTime iso={credential.verifiedAt} />
      </span>
    );
  }
  return <span className="status status--unknown">Not verified yet</span>;
}
