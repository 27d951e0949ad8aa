"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { DeleteServerDocument, UpgradeAgentDocument, type NextAction } from "@slipway/sdk";
import { operationPath, serverPath } from "@/lib/paths";
import { ConfirmAction } from "../ConfirmAction";
import { FormError } from "../FormError";
import { useAction } from "../useAction";

/** What to do next about a finished operation: retry, remove the server, or go and look at it. */
export function NextActions({ actions, serverName }: { actions: readonly NextAction[]; serverName: (id: string | null) => string }) {
  if (actions.length === 0) return null;
  return (
    <ul className="next-actions" aria-label="Next steps">
      {actions.map((action) => (
        <li key={`${action.kind} ${action.serverId}`}>
          <Action action={action} name={serverName(action.serverId)} />
        </li>
      ))}
    </ul>
  );
}

function Action({ action, name }: { action: NextAction; name: string }) {
  const router = useRouter();
  const retry = useAction(UpgradeAgentDocument, (data) => data.upgradeAgent);
  const remove = useAction(DeleteServerDocument, (data) => data.deleteServer);
  const go = (operation: { id: string } | null) => {
    if (operation) router.push(operationPath(operation.id));
  };
  switch (action.kind) {
    case "retry-install":
      return (
        <>
          <button type="button" className="button" disabled={retry.fetching} onClick={async () => go(await retry.run({ id: action.serverId }))}>
            {retry.fetching ? "Starting…" : `Retry the installation on ${name}`}
          </button>
          <FormError message={retry.message} />
        </>
      );
    case "delete-server":
      return (
        <>
          <ConfirmAction
            label={`Remove ${name}`}
            confirmLabel="Remove server"
            question={`Remove ${name} from Slipway?`}
            busy={remove.fetching}
            onConfirm={async () => go(await remove.run({ id: action.serverId, force: false }))}
          />
          <FormError message={remove.message} />
        </>
      );
    case "open-server":
      return (
        <Link className="button button--secondary" href={serverPath(action.serverId)}>
          Open {name}
        </Link>
      );
  }
}
