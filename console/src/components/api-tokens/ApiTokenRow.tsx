"use client";

import { RevokeApiTokenDocument, type ApiTokenFieldsFragment } from "@slipway/sdk";
import { ConfirmAction } from "../ConfirmAction";
import { FormError } from "../FormError";
import { RelativeTime } from "../RelativeTime";
import { useAction } from "../useAction";
import { tokenState } from "./tokenState";

const STATE_LABELS = { active: "Active", revoked: "Revoked", expired: "Expired" } as const;
const STATE_CLASSES = { active: "status--good", revoked: "status--bad", expired: "status--unknown" } as const;

export function ApiTokenRow({ token }: { token: ApiTokenFieldsFragment }) {
  const revoke = useAction(RevokeApiTokenDocument, (data) => data.revokeApiToken);
  const state = tokenState(token);

  return (
    <li className={state === "active" ? "row" : "row row--inactive"}>
      <div className="row__main">
        <p className="row__title">
          {token.name} <code className="token-prefix">{token.prefix}…</code>
        </p>
        <p className="row__meta">
          <span className={`status ${STATE_CLASSES[state]}`}>{STATE_LABELS[state]}</span>
          {" · "}created <RelativeTime iso={token.createdAt} />
          {" · "}
          {token.lastUsedAt ? (
            <>
              last used <RelativeTime iso={token.lastUsedAt} />
            </>
          ) : (
            "never used"
          )}
          {token.expiresAt && state === "active" ? (
            <>
              {" · "}expires <RelativeTime iso={token.expiresAt} />
            </>
          ) : null}
        </p>
        <p className="row__meta">
          <span className="visually-hidden">Scopes: </span>
          {token.scopes.map((scope) => (
            <code key={scope} className="scope">
              {scope}
            </code>
          ))}
        </p>
        <FormError message={revoke.message} />
      </div>
      {state === "active" ? (
        <div className="row__actions">
          <ConfirmAction
            label="Revoke"
            confirmLabel="Revoke token"
            question={`Revoke “${token.name}”? Anything using it stops working.`}
            busy={revoke.fetching}
            onConfirm={() => revoke.run({ id: token.id })}
          />
        </div>
      ) : null}
    </li>
  );
}
