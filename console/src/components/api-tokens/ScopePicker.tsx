"use client";

import type { ApiTokensQuery } from "@slipway/sdk";
import { ChoiceList } from "../ChoiceList";
import { Fieldset } from "../Fieldset";

type Scope = ApiTokensQuery["availableScopes"][number];

/** Checkboxes named "scopes", read by the surrounding form. */
export function ScopePicker({ scopes, error }: { scopes: Scope[]; error?: string | null }) {
  if (scopes.length === 0) {
    return <p className="muted">The server offers no scopes, so no token can be created.</p>;
  }
  return (
    <Fieldset legend="Scopes" error={error}>
      <ChoiceList
        type="checkbox"
        name="scopes"
        choices={scopes.map((scope) => ({ value: scope.name, label: <code>{scope.name}</code>, description: scope.description }))}
      />
    </Fieldset>
  );
}
