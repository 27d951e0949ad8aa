import type { CredentialFieldsFragment } from "@slipway/sdk";
import { RelativeTime } from "../RelativeTime";

export function CredentialStatus({ credential }: { credential: CredentialFieldsFragment }) {
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
