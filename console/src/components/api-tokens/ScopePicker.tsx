"use client";

import { useId } from "react";
import type { ApiTokensQuery } from "@slipway/sdk";

type Scope = ApiTokensQuery["availableScopes"][number];

/** Checkboxes named "scopes", read by the surrounding form. */
export function ScopePicker({ scopes, error }: { scopes: Scope[]; error?: string | null }) {
  const errorId = useId();
  if (scopes.length === 0) {
    return <p className="muted">The server offers no scopes, so no token can be created.</p>;
  }
  return (
    <fieldset className="field fieldset" aria-describedby={error ? errorId : undefined}>
      <legend className="field__label">Scopes</legend>
      {error ? (
        <p id={errorId} className="field__error">
          {error}
        </p>
      ) : null}
      <div className="checks">
        {scopes.map((scope) => (
          <label key={scope.name} className="check">
            <input type="checkbox" name="scopes" value={scope.name} />
            <span className="check__text">
              <code>{scope.name}</code>
              {scope.description ? <span className="check__description">{scope.description}</span> : null}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
