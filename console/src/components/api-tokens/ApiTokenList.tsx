import type { ApiTokenFieldsFragment } from "@slipway/sdk";
import { ApiTokenRow } from "./ApiTokenRow";

export function ApiTokenList({ tokens }: { tokens: ApiTokenFieldsFragment[] }) {
  if (tokens.length === 0) return <p className="muted">You have no API tokens.</p>;
  return (
    <ul className="rows" aria-label="API tokens">
      {tokens.map((token) => (
        <ApiTokenRow key={token.id} token={token} />
      ))}
    </ul>
  );
}
