"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { DeleteServerDocument, type ServerFieldsFragment } from "@slipway/sdk";
import { operationPath } from "@/lib/paths";
import { ConfirmAction } from "../ConfirmAction";
import { FormError } from "../FormError";
import { useAction } from "../useAction";

/**
 * A managed droplet is deleted after one confirmation. Anything else needs `force`, which is
 * offered only after the server's name is typed, so it can't be done by a stray click.
 */
export function DeleteServerAction({ server }: { server: ServerFieldsFragment }) {
  const router = useRouter();
  const remove = useAction(DeleteServerDocument, (data) => data.deleteServer);
  const fetching = remove.fetching;
  const [forcing, setForcing] = useState(false);
  const [typed, setTyped] = useState("");
  const inputId = useId();

  async function onDelete(force: boolean) {
    const operation = await remove.run({ id: server.id, force });
    if (operation) router.push(operationPath(operation.id));
  }

  const alert = <FormError message={remove.message} />;
  if (server.managed) {
    return (
      <>
        <ConfirmAction
          label="Delete"
          confirmLabel="Delete server"
          question={`Drain and destroy ${server.name}?`}
          busy={fetching}
          onConfirm={() => onDelete(false)}
        />
        {alert}
      </>
    );
  }
  if (!forcing) {
    return (
      <>
        <button type="button" className="button button--danger-quiet" onClick={() => setForcing(true)}>
          Force delete<span className="visually-hidden"> {server.name}</span>
        </button>
        {alert}
      </>
    );
  }
  return (
    <div className="force-delete" role="group" aria-label={`Force delete ${server.name}`}>
      <label htmlFor={inputId} className="field__hint">
        {server.name} was not created by Slipway. Type <strong>{server.name}</strong> to delete it anyway.
      </label>
      <input
        id={inputId}
        className="field__input"
        autoFocus
        autoComplete="off"
        spellCheck={false}
        value={typed}
        onChange={(event) => setTyped(event.currentTarget.value)}
      />
      <div className="form__actions">
        <button
          type="button"
          className="button button--danger"
          disabled={typed !== server.name || fetching}
          onClick={() => onDelete(true)}
        >
          {fetching ? "Deleting…" : "Force delete"}
        </button>
        <button type="button" className="button button--secondary" onClick={() => setForcing(false)}>
          Cancel
        </button>
      </div>
      {alert}
    </div>
  );
}
