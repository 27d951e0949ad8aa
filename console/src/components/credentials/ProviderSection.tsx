import type { CredentialFieldsFragment } from "@slipway/sdk";
import { CredentialForm } from "./CredentialForm";
import { CredentialRow } from "./CredentialRow";
import type { ProviderInfo } from "./providers";

export function ProviderSection({
  info,
  credentials,
}: {
  info: ProviderInfo;
  credentials: CredentialFieldsFragment[];
}) {
  const headingId = `provider-${info.provider.toLowerCase()}`;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel__title">
        {info.label}
      </h2>
      <p className="panel__description">{info.purpose}</p>
      {credentials.length > 0 ? (
        <ul className="rows" aria-label={`Saved ${info.label} tokens`}>
          {credentials.map((credential) => (
            <CredentialRow key={credential.id} credential={credential} providerLabel={info.label} />
          ))}
        </ul>
      ) : (
        <p className="muted">No {info.label} token saved yet.</p>
      )}
      <CredentialForm info={info} existingNames={credentials.map((c) => c.name)} />
    </section>
  );
}
